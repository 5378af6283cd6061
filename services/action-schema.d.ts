// What our actions declare beyond Moleculer's types: a one-line `description` (the OpenAPI
// document's summary) and `timeout` (read by Moleculer's timeout middleware, not typed by it).
import "moleculer";

declare module "moleculer" {
  interface ActionSchema {
    description?: string;
    timeout?: number;
  }
}
