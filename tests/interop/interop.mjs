#!/usr/bin/env node
// A stock automerge-repo client against outpost-server.
//
//   node interop.mjs <ws-url> <token> <automerge:url> <industry>
//
// Opens the account document with the stock Repo and WebSocketClientAdapter
// (the token goes in the `?token=` query, as a browser would send it), prints
// `name: <account.name>`, sets `account.industry` to <industry>, and waits
// until a second, independent Repo fetches the document from the server and
// sees the new value. Exits 0 on success, 1 on failure, 2 on timeout.
//
// Driven by tests/tests/interop.rs; `npm ci` in this directory first.

import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

const STEP_TIMEOUT_MS = 30_000
const TOTAL_TIMEOUT_MS = 90_000

const [serverUrl, token, docUrl, industry] = process.argv.slice(2)
if (!serverUrl || !token || !docUrl || industry === undefined) {
  console.error("usage: node interop.mjs <ws-url> <token> <automerge:url> <industry>")
  process.exit(64)
}

const watchdog = setTimeout(() => {
  console.error(`interop: not done within ${TOTAL_TIMEOUT_MS} ms`)
  process.exit(2)
}, TOTAL_TIMEOUT_MS)

function urlWithToken() {
  const u = new URL(serverUrl)
  u.searchParams.set("token", token)
  return u.toString()
}

/** A Repo with no storage (an ephemeral peer) talking to the server. */
function openRepo() {
  return new Repo({ network: [new WebSocketClientAdapter(urlWithToken(), 1000)] })
}

/** Resolves once `pred(doc)` holds, checking now and on every change. */
function waitFor(handle, pred, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const d = handle.doc()
      if (d && pred(d)) {
        clearTimeout(timer)
        handle.off("change", check)
        resolve(d)
      }
    }
    const timer = setTimeout(() => {
      handle.off("change", check)
      reject(new Error(`timed out waiting for ${what}`))
    }, STEP_TIMEOUT_MS)
    handle.on("change", check)
    check()
  })
}

async function main() {
  const repo = openRepo()
  const handle = await repo.find(docUrl, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) })
  const doc = handle.doc()
  if (!doc || typeof doc.account !== "object" || doc.account === null) {
    throw new Error(`${docUrl} is not an Outpost account document: ${JSON.stringify(doc)}`)
  }
  console.log(`name: ${String(doc.account.name)}`)
  console.log(`industry before: ${doc.account.industry === undefined ? "(none)" : String(doc.account.industry)}`)

  handle.change((d) => {
    d.account.industry = industry
  })
  console.log(`industry set: ${industry}`)

  // The server is the only link between the two repos: when the second one
  // sees the value, the server has it.
  const repo2 = openRepo()
  const handle2 = await repo2.find(docUrl, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) })
  await waitFor(handle2, (d) => String(d.account?.industry) === industry, "the change to reach a second client")
  console.log("confirmed by a second client")

  await Promise.all([repo.shutdown(), repo2.shutdown()])
}

main().then(
  () => {
    clearTimeout(watchdog)
    process.exit(0)
  },
  (err) => {
    console.error(`interop: ${err?.stack ?? err}`)
    process.exit(1)
  },
)
