#!/usr/bin/env node
// The stock automerge-repo sync server, as a user would set it up, for
// side-by-side runs of outpost-loadgen (bench/). No auth, loopback only.
//
//   node server.mjs [--storage <dir>]
//
// Prints `stock-server listening on ws://127.0.0.1:<port>` once it listens
// on an ephemeral port. With --storage, documents are kept with the NodeFS
// storage adapter (the durable setup); without, in memory only.
// sharePolicy false: like automerge-repo-sync-server, the server syncs a
// document only with peers that asked for it.

import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { WebSocketServer } from "ws"

const args = process.argv.slice(2)
const at = args.indexOf("--storage")
const storageDir = at >= 0 ? args[at + 1] : undefined

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: storageDir ? new NodeFSStorageAdapter(storageDir) : undefined,
  peerId: `stock-server-${process.pid}`,
  sharePolicy: async () => false,
})
// The Repo attaches its connection handler asynchronously (after storage
// is ready): announce the port only once it is there, or early clients are lost.
wss.on("listening", function announce() {
  if (wss.listenerCount("connection") === 0) return setTimeout(announce, 10)
  console.log(`stock-server listening on ws://127.0.0.1:${wss.address().port}`)
})
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0))
