// Shared with the browser (form hints); the checks themselves run on the server (password.ts).
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
