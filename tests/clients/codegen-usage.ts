// Compiled by `tsc --noEmit` in tests/integration/test_real_clients.py: the generated types
// are usable as an application uses them, and both sources give the same types.
import type * as FromServer from "./generated/codegen/from-server.operations";
import type * as FromSdl from "./generated/codegen/from-sdl.operations";
import type * as ServerSchema from "./generated/codegen/from-server.schema";
import type * as SdlSchema from "./generated/codegen/from-sdl.schema";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const pagesAgree: Same<FromServer.VehiclePageQuery, FromSdl.VehiclePageQuery> = true;
const nodesAgree: Same<FromServer.NodeByIdQuery, FromSdl.NodeByIdQuery> = true;
const vehiclesAgree: Same<ServerSchema.Vehicle, SdlSchema.Vehicle> = true;

export function nodeIds(nodes: ReadonlyArray<ServerSchema.Node>): string[] {
  return nodes.map((node) => node.id);
}

export function relayPage(info: SdlSchema.PageInfo): string | null {
  return info.hasNextPage ? (info.endCursor ?? null) : info.startCursor ?? null;
}

export function firstModel(page: FromServer.VehiclePageQuery): string | undefined {
  const vehicle = page.vehicles.nodes[0];
  const year: number | undefined = vehicle?.year;
  return year === undefined ? undefined : `${vehicle?.manufacturer} ${vehicle?.model} (${year})`;
}

export function describeNode(result: FromSdl.NodeByIdQuery): string {
  const node = result.node;
  if (!node) return "nothing";
  switch (node.__typename) {
    case "Vehicle":
      return `${node.manufacturer} ${node.model}`;
    case "ManufacturerModelGroup":
      return `${node.manufacturer}: ${node.count}`;
    default:
      return "unknown";
  }
}

export const variables: FromServer.VehiclePageQueryVariables = { first: 2, filter: { manufacturer: "ford" } };
export const agree = pagesAgree && nodesAgree && vehiclesAgree;
