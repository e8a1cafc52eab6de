// Apollo Client 4 with its handler for the graphql-js 17 incremental format, against the served API:
// what a user's app sees while deferred and streamed parts arrive. Usage: node apollo-incremental.mjs <graphql-url>
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQL17Alpha9Handler } from "@apollo/client/incremental";
import { incrementalReport } from "./incremental-operations.mjs";

const url = process.argv[2];
const responses = [];
const recordingFetch = async (input, init) => {
  const response = await fetch(input, init);
  responses.push({ accept: init.headers.accept, contentType: response.headers.get("content-type") });
  return response;
};

const client = new ApolloClient({
  link: new HttpLink({ uri: url, fetch: recordingFetch }),
  cache: new InMemoryCache(),
  incrementalHandler: new GraphQL17Alpha9Handler(),
});

// Every result the app is handed, until the last part (networkStatus 9, streaming, before it). The
// query is not unsubscribed there: that would abort the response's last bytes.
function results(query, variables) {
  return new Promise((resolve, reject) => {
    const seen = [];
    client.watchQuery({ query, variables, fetchPolicy: "network-only" }).subscribe({
      next: (result) => {
        if (result.loading && result.data === undefined) return;
        seen.push({
          dataState: result.dataState,
          networkStatus: result.networkStatus,
          data: result.data,
          errors: result.error?.errors ?? [],
        });
        if (!result.loading) resolve(seen);
      },
      error: reject,
    });
  });
}

const report = await incrementalReport((document, variables) => results(gql(document), variables));

process.stdout.write(JSON.stringify({ responses, ...report }));
