// Who saved a setting, for the program's version history: the staff member the session token
// names (its `sub`), else the app's admin.
export function adminActor(sessionToken: { sub?: string } | undefined): string {
  return sessionToken?.sub ? `staff:${sessionToken.sub}` : "admin";
}
