// How LiteLLM answers, in the sandbox: its error shapes and its pages.

export class HttpError {
  constructor(readonly status: number, readonly body: unknown) {}
}

/** Starlette's answer to an exception nothing handled: a plain-text 500. */
export class Unhandled {
  readonly status = 500
  readonly text = "Internal Server Error"
}

/** ProxyException envelope, `code` a string as in current releases. */
export const envelope = (status: number, message: string, type = "internal_server_error", param: string | null = "None") =>
  new HttpError(status, { error: { message, type, param, code: String(status) } })
/** FastAPI HTTPException default shape. */
export const detail = (status: number, error: string) => new HttpError(status, { detail: { error } })

export const pyRepr = (error: string) => `{'error': '${error}'}`

export const page = <A>(items: ReadonlyArray<A>, pageNo: number, size: number) => ({
  items: items.slice((pageNo - 1) * size, pageNo * size),
  totalPages: Math.ceil(items.length / size)
})
