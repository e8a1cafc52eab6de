// Apollo Client 4 with its handler for the graphql-js 17 incremental format, against the served API:
// what a user's app sees while deferred and streamed parts arrive. Usage: node apollo-incremental.mjs <graphql-url>
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQL17Alpha9Handler } from "@apollo/client/incremental";

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

// Every result the app is handed, until the last part (networkStatus 9, streaming, before it).
function emissions(query, variables) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const subscription = client.watchQuery({ query, variables, fetchPolicy: "network-only" }).subscribe({
      next: (result) => {
        if (result.loading && result.data === undefined) return;
        seen.push({
          dataState: result.dataState,
          networkStatus: result.networkStatus,
          data: result.data,
          errors: result.error?.errors ?? [],
        });
        if (!result.loading) {
          subscription.unsubscribe();
          resolve(seen);
        }
      },
      error: reject,
    });
  });
}

const SEARCH = gql`
  query SearchWithFacets($filter: VehicleFilter) {
    vehicles(filter: $filter, first: 5) { totalCount nodes { id manufacturer model year } }
    ... @defer(label: "facets") {
      facets(filter: $filter) { totalCount manufacturers { value count } }
    }
  }
`;
const VEHICLE = gql`
  query VehicleWithInstances($id: ID!) {
    vehicle(id: $id) {
      id manufacturer model year
      ... @defer(label: "instances") { instances(count: 3) { vin condition } }
    }
  }
`;
const STREAMED = gql`
  query StreamedVehicles {
    vehicles(first: 6, sort: [{ field: YEAR, direction: ASC }]) { nodes @stream(initialCount: 2) { id year } }
  }
`;

const search = await emissions(SEARCH, { filter: { manufacturer: "ford" } });
const id = search.at(-1).data.vehicles.nodes[0].id;
const vehicle = await emissions(VEHICLE, { id });
const streamed = await emissions(STREAMED, {});

process.stdout.write(JSON.stringify({ responses, search, vehicle, streamed }));
