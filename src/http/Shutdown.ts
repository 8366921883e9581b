// Which signal stopped the process, for the one line a shutdown logs. NodeRuntime interrupts the
// program on SIGINT and SIGTERM; these listeners only remember which came, once per process.
let received: string | undefined

export const watchSignals = () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => received ??= signal)
}

/** Why the server is stopping: the signal it got, or its scope closing (a test, an error). */
export const reason = () => received ?? "its scope closed"

/**
 * Run by `npm start` or `npm run demo`, the server is npm's child, and npm does not pass a
 * SIGTERM on: once npm is gone (this process is reparented) it stops as if signalled, instead
 * of listening on as an orphan. Only under npm: a server started in the background on purpose
 * (nohup, a service manager) outlives its shell.
 */
export const followParent = () => {
  if (process.env["npm_lifecycle_event"] === undefined) return
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, "SIGTERM")
  }, 500).unref()
}
