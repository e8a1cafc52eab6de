// The operations the incremental clients (apollo-incremental.mjs, urql-incremental.mjs) send, and the
// order they send them in: a search with deferred facets, a vehicle with deferred instances, a streamed list.
export const SEARCH = `
  query SearchWithFacets($filter: VehicleFilter) {
    vehicles(filter: $filter, first: 5) { totalCount nodes { id manufacturer model year } }
    ... @defer(label: "facets") {
      facets(filter: $filter) { totalCount manufacturers { value count } }
    }
  }
`;
export const VEHICLE = `
  query VehicleWithInstances($id: ID!) {
    vehicle(id: $id) {
      id manufacturer model year
      ... @defer(label: "instances") { instances(count: 3) { vin condition } }
    }
  }
`;
export const STREAMED = `
  query StreamedVehicles {
    vehicles(first: 6, sort: [{ field: YEAR, direction: ASC }]) { nodes @stream(initialCount: 2) { id year } }
  }
`;

// Every result a client's app is handed for each operation: `results(document, variables)` gives them.
export async function incrementalReport(results) {
  const search = await results(SEARCH, { filter: { manufacturer: "ford" } });
  const id = search.at(-1).data.vehicles.nodes[0].id;
  const vehicle = await results(VEHICLE, { id });
  const streamed = await results(STREAMED, {});
  return { search, vehicle, streamed };
}
