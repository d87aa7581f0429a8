// A BFF's first calls with the generated TypeScript client (Connect's gRPC
// transport), run by CI against a real service: a guest adds and reads, signs
// in (the guest cart merges into the customer's), is told OUT_OF_STOCK with
// the quantity available, and is RATE_LIMITED, retried after the RetryInfo
// delay with the same requestId. Money is shown as an exact decimal. Exits
// non-zero when the service answers otherwise.
//
//   npm ci && npm run example -- http://127.0.0.1:50051
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import type { MessageInitShape } from "@bufbuild/protobuf";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import type { AddItemRequestSchema } from "./gen/shop/cart/v1/cart_pb.js";
import type { Cart, ShopperSchema } from "./gen/shop/cart/v1/types_pb.js";
import { CartService } from "./gen/shop/cart/v1/cart_pb.js";
import { ErrorReason } from "./gen/shop/cart/v1/errors_pb.js";
import type { Money } from "./gen/shop/common/v1/money_pb.js";

const DOMAIN = "cart.shop";

// Money as an exact decimal string ("19.99"): units and nanos (billionths,
// same sign as units) joined as text, never through a float.
export function decimal(money: Money | undefined): string {
  if (!money) return "0";
  const negative = money.units < 0n || money.nanos < 0;
  const units = (money.units < 0n ? -money.units : money.units).toString();
  const nanos = Math.abs(money.nanos).toString().padStart(9, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${units}${nanos ? `.${nanos}` : ""}`;
}

// A refused call's ErrorReason (from its ErrorInfo), metadata and RetryInfo
// delay in milliseconds.
export function explain(err: unknown) {
  const error = ConnectError.from(err);
  const info = error.findDetails(ErrorInfoSchema).find((detail) => detail.domain === DOMAIN);
  const retry = error.findDetails(RetryInfoSchema)[0]?.retryDelay;
  return {
    error,
    reason: info ? ErrorReason[info.reason as keyof typeof ErrorReason] : undefined,
    metadata: info?.metadata ?? {},
    retryDelayMs: retry ? Number(retry.seconds) * 1000 + retry.nanos / 1e6 : undefined,
  };
}

function show(label: string, cart: Cart | undefined): Cart {
  if (!cart) throw new Error(`${label}: no cart in the answer`);
  console.log(`${label}: cart ${cart.id} (version ${cart.version})`);
  for (const line of cart.items) {
    console.log(`  ${line.quantity} x ${line.product?.name} (${line.variantId}) at ${decimal(line.unitPrice)}`);
  }
  console.log(`  total ${decimal(cart.summary?.total)} ${cart.summary?.total?.currencyCode}`);
  return cart;
}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(`unexpected answer: ${what}`);
}

// An add with its own requestId: one per logical action, reused by retries.
function add(shopper: MessageInitShape<typeof ShopperSchema>, variantId: string, quantity: number): MessageInitShape<typeof AddItemRequestSchema> {
  return { shopper, productId: "prod-classic-tee", variantId, quantity, requestId: randomUUID() };
}

const client = createClient(
  CartService,
  createGrpcTransport({ baseUrl: process.argv[2] ?? "http://127.0.0.1:50051" }),
);
const run = randomUUID().replaceAll("-", "");
const session = `example-${run}`;

// 1. A guest adds two tees and reads the cart back.
show("added", (await client.addItem(add({ sessionId: session }, "var-classic-tee-m", 2))).cart);
const read = show("read", (await client.getCart({ shopper: { sessionId: session } })).cart);
expect(decimal(read.summary?.total) === "39.98", "2 x 19.99 should total 39.98");

// 2. Sign-in: the guest cart merges into the customer's.
const customer = { sessionId: session, customerId: `customer-${run}` };
const merged = show("signed in", (await client.mergeGuestCart({ shopper: customer, requestId: randomUUID() })).cart);
expect(merged.items.length === 1, "the customer's cart should hold the guest's line");

// 3. More than the stock: OUT_OF_STOCK, with the quantity available.
try {
  await client.addItem(add(customer, "var-classic-tee-l", 50));
  expect(false, "adding 50 of a variant with 3 in stock should fail");
} catch (err) {
  const { reason, metadata, error } = explain(err);
  expect(reason === ErrorReason.OUT_OF_STOCK, `OUT_OF_STOCK, not ${error.message}`);
  console.log(`out of stock: only ${metadata["available_quantity"]} available`);
}

// 4. Writes past the session's budget: RATE_LIMITED, with RetryInfo; the
// retry after the delay reuses the request's requestId.
const busy = { sessionId: `example-busy-${run}` };
let limited = false;
for (let i = 0; i < 1000 && !limited; i++) {
  const request = add(busy, "var-classic-tee-s", 1);
  try {
    await client.addItem(request);
  } catch (err) {
    const { reason, retryDelayMs, error } = explain(err);
    expect(reason === ErrorReason.RATE_LIMITED, `RATE_LIMITED, not ${error.message}`);
    expect(retryDelayMs !== undefined, "RATE_LIMITED without RetryInfo");
    console.log(`rate limited: retrying in ${retryDelayMs} ms`);
    await sleep(retryDelayMs);
    show("retried", (await client.addItem(request)).cart);
    limited = true;
  }
}
expect(limited, "never rate limited");
console.log("ok");
