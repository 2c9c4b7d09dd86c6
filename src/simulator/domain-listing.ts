// GET /v2/:account/domains: the account's domains, narrowed by DNSimple's two filters, then
// sorted and paged like every list (listing.ts).
//
// - `name_like`: the name contains the text, in any case (names are kept lowercase).
// - `registrant_id`: the domain's registrant is that contact. A hosted domain has no
//   registrant, so it never matches. A value that is not a positive integer is a 400.
// - `sort` on id, name or expiration; DNSimple's default is the name ascending. A hosted
//   domain has no expiry and sorts as the latest.
import {
  type ListSpec,
  listPage,
  type Page,
  parseListQuery,
  parsePositiveInteger,
} from "./listing.ts";
import type { Domain } from "./model.ts";

export const DOMAIN_LIST: ListSpec<"id" | "name" | "expiration"> = {
  fields: ["id", "name", "expiration"],
  defaultSort: [{ field: "name", direction: "asc" }],
};

export function listDomains(domains: readonly Domain[], query: URLSearchParams): Page<Domain> {
  const listQuery = parseListQuery(query, DOMAIN_LIST);
  const nameLike = (query.get("name_like") ?? "").toLowerCase();
  const registrantId = parsePositiveInteger(query.get("registrant_id"), "registrant_id");
  const matching = domains.filter(
    (domain) =>
      domain.name.includes(nameLike) &&
      (registrantId === undefined || domain.registrantId === registrantId),
  );
  return listPage(matching, listQuery, (domain) => ({
    id: domain.id,
    name: domain.name,
    expiration: domain.expiresAt,
  }));
}
