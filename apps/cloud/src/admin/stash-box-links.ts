/**
 * Links to stash-box web pages from an endpoint's GraphQL URL: stash-box serves its UI at the same origin as
 * `/graphql` (stashdb.org/graphql → stashdb.org/scenes/<id>, /performers/<id>).
 */
function siteBase(graphqlUrl: string): string {
  return graphqlUrl.replace(/\/graphql\/?$/i, '').replace(/\/+$/, '');
}

export function stashBoxSceneUrl(graphqlUrl: string, stashId: string): string {
  return `${siteBase(graphqlUrl)}/scenes/${encodeURIComponent(stashId)}`;
}

export function stashBoxPerformerUrl(graphqlUrl: string, stashId: string): string {
  return `${siteBase(graphqlUrl)}/performers/${encodeURIComponent(stashId)}`;
}
