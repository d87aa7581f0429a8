"""A BFF's first calls with the generated Python client, run by CI against a
real service: a guest adds and reads, signs in (the guest cart merges into the
customer's), is told OUT_OF_STOCK with the quantity available, and is
RATE_LIMITED, retried after the RetryInfo delay with the same request_id.
Money is a Decimal throughout. Exits non-zero when the service answers
otherwise.

    pip install -r clients/python/requirements.txt
    python3 clients/python/example.py 127.0.0.1:50051
"""

import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shop.cart.v1 import cart_pb2, cart_pb2_grpc, errors_pb2, types_pb2  # noqa: E402

DOMAIN = "cart.shop"


def decimal(money):
    """shop.common.v1.Money as a Decimal: units plus nanos (billionths)."""
    return Decimal(money.units) + Decimal(money.nanos).scaleb(-9)


class CartError(Exception):
    """A refused call: its code, its ErrorReason name and its details."""

    def __init__(self, call):
        super().__init__(f"{call.code().name}: {call.details()}")
        self.code = call.code()
        self.reason = ""
        self.metadata = {}
        self.retry_delay = None
        status = rpc_status.from_call(call)
        for detail in status.details if status else []:
            info = error_details_pb2.ErrorInfo()
            retry = error_details_pb2.RetryInfo()
            if detail.Unpack(info) and info.domain == DOMAIN:
                self.reason = info.reason
                self.metadata = dict(info.metadata)
            elif detail.Unpack(retry):
                self.retry_delay = retry.retry_delay.ToTimedelta().total_seconds()


def call(method, request):
    try:
        return method(request)
    except grpc.RpcError as error:
        raise CartError(error) from None


def text(money):
    """Money as text without trailing zeros: 19.99, 20."""
    return f"{decimal(money).normalize():f}"


def show(label, cart):
    print(f"{label}: cart {cart.id} (version {cart.version})")
    for line in cart.items:
        print(f"  {line.quantity} x {line.product.name} ({line.variant_id}) at {text(line.unit_price)}")
    print(f"  total {text(cart.summary.total)} {cart.summary.total.currency_code}")


def expect(ok, what):
    if not ok:
        raise SystemExit(f"unexpected answer: {what}")


def add(shopper, variant, quantity):
    return cart_pb2.AddItemRequest(
        shopper=shopper,
        product_id="prod-classic-tee",
        variant_id=variant,
        quantity=quantity,
        request_id=str(uuid.uuid4()),  # one per logical action, reused by its retries
    )


def main(target):
    stub = cart_pb2_grpc.CartServiceStub(grpc.insecure_channel(target))
    run = uuid.uuid4().hex
    session = f"example-{run}"
    guest = types_pb2.Shopper(session_id=session)

    # 1. A guest adds two tees and reads the cart back.
    show("added", call(stub.AddItem, add(guest, "var-classic-tee-m", 2)).cart)
    cart = call(stub.GetCart, cart_pb2.GetCartRequest(shopper=guest)).cart
    show("read", cart)
    expect(decimal(cart.summary.total) == Decimal("39.98"), "2 x 19.99 should total 39.98")

    # 2. Sign-in: the guest cart merges into the customer's.
    customer = types_pb2.Shopper(session_id=session, customer_id=f"customer-{run}")
    merged = call(
        stub.MergeGuestCart,
        cart_pb2.MergeGuestCartRequest(shopper=customer, request_id=str(uuid.uuid4())),
    )
    show("signed in", merged.cart)
    expect(len(merged.cart.items) == 1, "the customer's cart should hold the guest's line")

    # 3. More than the stock: OUT_OF_STOCK, with the quantity available.
    try:
        call(stub.AddItem, add(customer, "var-classic-tee-l", 50))
        expect(False, "adding 50 of a variant with 3 in stock should fail")
    except CartError as error:
        expect(error.reason == errors_pb2.ErrorReason.Name(errors_pb2.OUT_OF_STOCK), error.reason)
        available = int(error.metadata["available_quantity"])
        print(f"out of stock: only {available} available")

    # 4. Writes past the session's budget: RATE_LIMITED, with RetryInfo; the
    # retry after the delay reuses the request's request_id.
    busy = types_pb2.Shopper(session_id=f"example-busy-{run}")
    for _ in range(1000):
        request = add(busy, "var-classic-tee-s", 1)
        try:
            call(stub.AddItem, request)
        except CartError as error:
            expect(error.reason == errors_pb2.ErrorReason.Name(errors_pb2.RATE_LIMITED), error.reason)
            expect(error.retry_delay is not None, "RATE_LIMITED without RetryInfo")
            print(f"rate limited: retrying in {error.retry_delay}s")
            time.sleep(error.retry_delay)
            show("retried", call(stub.AddItem, request).cart)
            break
    else:
        expect(False, "never rate limited")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051")
