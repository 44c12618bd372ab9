// The custom action form as the browser posts it (text fields) turned into what the domain
// validates (earning-actions.ts): numbers stay text when they are not whole numbers, so the
// schema refuses them as such; a blank link is none.
type Form = Pick<FormData, "get">;

function text(form: Form, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

export function earningActionInputFromForm(form: Form) {
  const points = text(form, "points").trim();
  const url = text(form, "url").trim();
  return {
    kind: text(form, "kind"),
    title: text(form, "title"),
    url: url === "" ? null : url,
    points: /^-?\d{1,16}$/.test(points) ? Number(points) : points,
    requiresApproval: ["on", "true"].includes(text(form, "requiresApproval")),
    enabled: ["on", "true"].includes(text(form, "enabled")),
  };
}
