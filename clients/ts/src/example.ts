// Not generated: a short example of the generated client in use, compiled with
// it (`npx tsc --noEmit`), so CI proves the generated code works with Connect.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import { CartService } from "./gen/shop/cart/v1/cart_pb.js";
import { ErrorReason } from "./gen/shop/cart/v1/errors_pb.js";

const client = createClient(
  CartService,
  createGrpcTransport({ baseUrl: "http://localhost:50051" }),
);

// Adds one item to a guest cart; returns the cart's version, or the
// ErrorReason of a refusal (its name is the ErrorInfo reason sent).
export async function addOne(
  sessionId: string,
  productId: string,
  variantId: string,
): Promise<bigint | ErrorReason> {
  try {
    const { cart } = await client.addItem({
      shopper: { sessionId },
      productId,
      variantId,
      quantity: 1,
    });
    return cart?.version ?? 0n;
  } catch (err) {
    const error = ConnectError.from(err);
    const info = error
      .findDetails(ErrorInfoSchema)
      .find((detail) => detail.domain === "cart.shop");
    const reason = info && ErrorReason[info.reason as keyof typeof ErrorReason];
    if (reason !== undefined) {
      return reason;
    }
    throw error.code === Code.Unavailable ? new Error("cart service unavailable", { cause: error }) : error;
  }
}
