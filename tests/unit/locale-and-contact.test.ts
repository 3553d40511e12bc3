import { describe, expect, it } from "vitest";

import { formatCount, formatPercent } from "@/components/batches/format";
import { contactName } from "@/lib/batches/contact-name";
import { negotiateLocale } from "@/lib/locale";

describe("negotiateLocale", () => {
  it("takes the viewer's most preferred locale the runtime can format", () => {
    expect(negotiateLocale("de-DE,de;q=0.9,en;q=0.8")).toBe("de-DE");
    expect(negotiateLocale("en;q=0.5, fr-FR;q=0.9")).toBe("fr-FR");
  });

  it("falls back to en-US when the header is missing, empty or only wildcards and nonsense", () => {
    expect(negotiateLocale(null)).toBe("en-US");
    expect(negotiateLocale("")).toBe("en-US");
    expect(negotiateLocale("*;q=1, !!;q=0.5")).toBe("en-US");
  });

  it("formats counts and shares in that locale", () => {
    expect(formatCount(1000, negotiateLocale("de-DE"))).toBe("1.000");
    expect(formatCount(1000, negotiateLocale("en-US"))).toBe("1,000");
    expect(formatPercent(0.953, "en-US")).toBe("95.3%");
    expect(formatPercent(0.953, "de-DE")).toMatch(/^95,3\s%$/);
    expect(formatPercent(1, "en-US")).toBe("100%");
  });
});

describe("contactName", () => {
  it("prefers a whole name column, whatever its spelling", () => {
    expect(contactName({ "Full Name": "Ada Lovelace", first_name: "A", last_name: "L" })).toBe("Ada Lovelace");
    expect(contactName({ Contact: "Grace Hopper" })).toBe("Grace Hopper");
  });

  it("joins first and last names, or uses either alone", () => {
    expect(contactName({ first_name: "Alan", last_name: "Turing", email: "a@example.com" })).toBe("Alan Turing");
    expect(contactName({ "last-name": "Turing" })).toBe("Turing");
  });

  it("is null when no column names the contact, or it is blank", () => {
    expect(contactName({ email: "a@example.com", company: "Acme" })).toBeNull();
    expect(contactName({ name: "   " })).toBeNull();
  });
});
