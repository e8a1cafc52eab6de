// Apollo Client's persisted-queries link against a running autos-graph, as a browser app uses it.
//
//   node apq.mjs <graphql url> apq
//     Automatic persisted queries: a first client sends the hash alone by GET, is told
//     PERSISTED_QUERY_NOT_FOUND, and registers the document; a second client (another
//     browser) then gets the answer by GET with the hash alone.
//   node apq.mjs <graphql url> trusted <persisted-documents.json>
//     The documents of a graphql-codegen manifest, named by the hash codegen gave them
//     (its `__meta__.hash`, as codegen's Apollo Client recipe sends it), and one document
//     outside the manifest, which the server must refuse.
//
// Prints one JSON object: the results and every HTTP exchange the link made.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { parse, print } from "graphql";

const [url, scenario, manifestPath] = process.argv.slice(2);
const exchanges = [];

async function recordingFetch(input, init = {}) {
  const response = await fetch(input, init);
  const target = new URL(typeof input === "string" ? input : input.url);
  const body = typeof init.body === "string" ? JSON.parse(init.body) : {};
  exchanges.push({
    method: init.method ?? "GET",
    withQuery: target.searchParams.has("query") || typeof body.query === "string",
    status: response.status,
    cacheControl: response.headers.get("cache-control"),
    etag: response.headers.get("etag"),
  });
  return response;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

function newClient(options) {
  const persisted = new PersistedQueryLink({ useGETForHashedQueries: true, ...options });
  return new ApolloClient({
    link: persisted.concat(new HttpLink({ uri: url, fetch: recordingFetch })),
    cache: new InMemoryCache(),
  });
}

async function outcome(client, query, variables) {
  try {
    const result = await client.query({ query, variables, fetchPolicy: "network-only" });
    return { data: result.data };
  } catch (error) {
    const errors = error.errors ?? error.result?.errors ?? [];
    return { codes: errors.map((e) => e.extensions?.code), message: String(error.message) };
  }
}

async function automaticPersistedQueries() {
  const query = parse(
    "query ApqPicker($search: String) { manufacturerModelCombinations(search: $search, first: 2) { totalCount nodes { manufacturer } } }",
  );
  const variables = { search: "ford" };
  const first = await outcome(newClient({ sha256 }), query, variables);
  const marker = exchanges.length;
  const second = await outcome(newClient({ sha256 }), query, variables);
  return {
    results: [first, second],
    firstExchanges: exchanges.slice(0, marker),
    secondExchanges: exchanges.slice(marker),
  };
}

async function trustedDocuments() {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf-8"));
  const documents = Object.fromEntries(
    Object.entries(manifest).map(([hash, text]) => {
      const document = parse(text);
      // What codegen's generated module holds for each document.
      document.__meta__ = { hash };
      return [document.definitions[0].name.value, document];
    }),
  );
  // codegen's recipe for Apollo Client; documents outside the manifest fall back to sha256.
  const client = newClient({ generateHash: (doc) => doc.__meta__?.hash ?? sha256(print(doc)) });
  const picker = await outcome(client, documents.Picker, { search: "chev" });
  const details = await outcome(client, documents.VehicleDetails, { id: "no-such-vehicle" });
  const marker = exchanges.length;
  const outside = await outcome(client, parse("query Outside { vehicles(first: 1) { totalCount } }"), {});
  return { results: [picker, details, outside], outsideExchanges: exchanges.slice(marker) };
}

const report = scenario === "trusted" ? await trustedDocuments() : await automaticPersistedQueries();
process.stdout.write(`${JSON.stringify({ ...report, exchanges })}\n`);
