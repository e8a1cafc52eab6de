// urql (@urql/core) with GET queries against the served API; prints the requests and answers.
// Usage: node urql.mjs <graphql-url>
import { Client, fetchExchange, gql } from "@urql/core";

const url = process.argv[2];
const requests = [];
const recordingFetch = (input, init) => {
  requests.push({ method: init?.method ?? "GET", url: String(input), hasBody: Boolean(init?.body) });
  return fetch(input, init);
};

const client = new Client({
  url,
  exchanges: [fetchExchange],
  preferGetMethod: "force",
  requestPolicy: "network-only",
  fetch: recordingFetch,
});

const GROUPS = gql`
  query Groups($search: String, $first: Int) {
    manufacturerModelCombinations(search: $search, first: $first) {
      totalCount
      nodes { id manufacturer count models { model count } }
    }
  }
`;
const groups = await client.query(GROUPS, { search: "chev", first: 2 }).toPromise();
const bad = await client.query(gql`query Bad { vehicles(first: 500) { totalCount } }`, {}).toPromise();

process.stdout.write(
  JSON.stringify({
    requests,
    groups: { data: groups.data, error: groups.error?.message ?? null },
    bad: {
      data: bad.data ?? null,
      codes: (bad.error?.graphQLErrors ?? []).map((e) => e.extensions?.code),
    },
  }),
);
