// The OpenAPI 3.1 document at /v1/openapi.json, made from the routes' own JSON schemas (collected as
// Fastify registers them), so the document cannot drift from what the server validates.
import type { FastifyInstance, RouteOptions } from "fastify";

type Schema = {
  summary?: string;
  querystring?: { properties?: Record<string, object>; required?: string[] };
  params?: { properties?: Record<string, object>; required?: string[] };
  response?: Record<string, object>;
};

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, object>>;
};

/** Collects every route registered after this call; `document()` builds the OpenAPI document from them. */
export function collectRoutes(app: FastifyInstance): { document(): OpenApiDocument } {
  const routes: RouteOptions[] = [];
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/v1/") && route.method !== "HEAD" && !route.schema?.hide) routes.push(route);
  });
  return {
    document: () => {
      const paths: OpenApiDocument["paths"] = {};
      for (const route of routes) {
        const schema = (route.schema ?? {}) as Schema;
        const path = route.url.replace(/:([A-Za-z]+)/g, "{$1}");
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) {
          const operations = paths[path] ?? {};
          operations[method.toLowerCase()] = operationOf(schema);
          paths[path] = operations;
        }
      }
      return {
        openapi: "3.1.0",
        info: {
          title: "Junction API",
          version: "1",
          description:
            "Messages, checkpoints, superblocks, bonds and the finance apps of a Junction network, read from its own index of the chains' events.",
        },
        paths,
      };
    },
  };
}

function operationOf(schema: Schema): object {
  const parameters = [...parametersOf("path", schema.params), ...parametersOf("query", schema.querystring)];
  const responses: Record<string, object> = {};
  for (const [code, body] of Object.entries(schema.response ?? { 200: { type: "object" } })) {
    responses[code] = {
      description: code === "200" ? "OK" : code === "404" ? "Not found" : "Response",
      content: { "application/json": { schema: body } },
    };
  }
  responses["400"] = {
    description: "Invalid parameter: { error, parameter, message }",
    content: { "application/json": { schema: { type: "object" } } },
  };
  return { summary: schema.summary ?? "", parameters, responses };
}

function parametersOf(where: "path" | "query", schema: Schema["params"]): object[] {
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => {
    const { default: _default, ...rest } = property as { default?: unknown };
    return {
      name,
      in: where,
      required: where === "path" || (schema?.required ?? []).includes(name),
      schema: rest,
    };
  });
}

declare module "fastify" {
  interface FastifySchema {
    /** One line for the OpenAPI document. */
    summary?: string;
    /** Left out of the OpenAPI document. */
    hide?: boolean;
  }
}
