// Relay documents compiled by relay-compiler against schema.graphql (tests/integration/test_real_clients.py):
// a refetchable fragment on a Node type, and a @connection pagination query.
import { graphql } from "relay-runtime";

export const vehicleCard = graphql`
  fragment VehicleList_vehicle on Vehicle @refetchable(queryName: "VehicleListRefetchQuery") {
    id
    manufacturer
    model
    year
  }
`;

export const vehicleList = graphql`
  fragment VehicleList_query on Query
  @refetchable(queryName: "VehicleListPaginationQuery")
  @argumentDefinitions(first: { type: "Int", defaultValue: 3 }, after: { type: "String" }) {
    vehicles(first: $first, after: $after) @connection(key: "VehicleList_vehicles") {
      totalCount
      edges {
        node {
          id
          ...VehicleList_vehicle
        }
      }
    }
  }
`;

export const vehicleListQuery = graphql`
  query VehicleListQuery {
    ...VehicleList_query
  }
`;
