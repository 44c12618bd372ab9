// Copies the referral link: the async Clipboard API where the page may use it, else the
// selection and execCommand, which older browsers and insecure contexts still honour.
export async function copyText(text: string, input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  }
}
