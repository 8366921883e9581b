import { Effect, Layer, Logger } from "effect"
import { AppConfig } from "../config/AppConfig.js"

/**
 * Where log lines go and how they look: pretty for people, JSON (one object a line) for
 * collectors; on stderr when stdout carries protocol messages.
 */
export const layer = (options: { readonly stderr: boolean }) =>
  Layer.unwrapEffect(Effect.map(AppConfig, (config) => {
    const logger = config.logFormat === "json"
      ? (options.stderr ? Logger.withConsoleError(Logger.jsonLogger) : Logger.withConsoleLog(Logger.jsonLogger))
      : Logger.prettyLogger({ stderr: options.stderr, colors: "auto" })
    return Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(config.logLevel))
  }))
