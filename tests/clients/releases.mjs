// graphql-ws (WebSocket, graphql-transport-ws) and graphql-sse (Server-Sent Events, distinct
// connections) subscribed to catalogReleases on every replica given; prints one JSON line per event.
// Usage: node releases.mjs <events-per-subscription> <base-url>...
// Each subscription starts with the live generation (includeLive), so "ready" is printed once every
// replica holds every subscription; the script ends when each has heard <events> swaps after that.
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";

const [wanted, ...bases] = process.argv.slice(2);
const swapsWanted = Number(wanted);
const query = "subscription { catalogReleases(includeLive: true) { generation documents liveSince kind } }";

function print(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
}

const subscriptions = [];
for (const base of bases) {
  const ws = createWsClient({ url: base.replace(/^http/, "ws") + "/graphql", webSocketImpl: WebSocket, lazy: false });
  const sse = createSseClient({ url: base + "/graphql/stream", singleConnection: false, retryAttempts: 0 });
  subscriptions.push({ client: "graphql-ws", base, iterator: ws.iterate({ query }), dispose: () => ws.dispose() });
  subscriptions.push({ client: "graphql-sse", base, iterator: sse.iterate({ query }), dispose: () => sse.dispose() });
}

let waiting = subscriptions.length;
const heard = subscriptions.map(async (subscription) => {
  let swaps = -1; // the first event is the live generation
  for await (const result of subscription.iterator) {
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    const release = result.data.catalogReleases;
    if (swaps === -1) {
      if (--waiting === 0) print({ ready: true });
    } else {
      print({ client: subscription.client, base: subscription.base, receivedAt: Date.now() / 1000, ...release });
    }
    swaps += 1;
    if (swaps === swapsWanted) break;
  }
  subscription.dispose();
});
await Promise.all(heard);
process.exit(0);
