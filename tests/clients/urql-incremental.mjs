// urql (@urql/core) against the served API: the results an app is handed while deferred and streamed
// parts arrive. Usage: node urql-incremental.mjs <graphql-url>
import { Client, fetchExchange, gql } from "@urql/core";
import { incrementalReport } from "./incremental-operations.mjs";

const url = process.argv[2];
const requests = [];
const recordingFetch = async (input, init) => {
  const response = await fetch(input, init);
  requests.push({
    method: init?.method ?? "GET",
    accept: init?.headers?.accept ?? null,
    contentType: response.headers.get("content-type"),
  });
  return response;
};

const client = new Client({ url, exchanges: [fetchExchange], requestPolicy: "network-only", fetch: recordingFetch });

// Every result the app is handed, until the one with nothing more to come (the source then ends by
// itself; unsubscribing would abort the response's last bytes).
function results(query, variables) {
  return new Promise((resolve) => {
    const seen = [];
    client.query(query, variables).subscribe((result) => {
      seen.push({
        hasNext: result.hasNext,
        data: result.data ?? null,
        codes: (result.error?.graphQLErrors ?? []).map((e) => e.extensions?.code),
      });
      if (!result.hasNext) resolve(seen);
    });
  });
}

const report = await incrementalReport((document, variables) => results(gql(document), variables));

process.stdout.write(JSON.stringify({ requests, ...report }));
