// Command example: a BFF's first calls with the generated Go client, run by
// CI against a real service: a guest adds and reads, signs in (the guest cart
// merges into the customer's), is told OUT_OF_STOCK with the quantity
// available, and is RATE_LIMITED, retried after the RetryInfo delay with the
// same request_id. Money is an exact big.Rat throughout. Exits non-zero when
// the service answers otherwise.
//
//	go run ./example 127.0.0.1:50051
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"math/big"
	"os"
	"time"

	cartv1 "github.com/example/cart-service/clients/go/gen/shop/cart/v1"
	commonv1 "github.com/example/cart-service/clients/go/gen/shop/common/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

const domain = "cart.shop"

// decimal is Money as an exact rational: units plus nanos (billionths).
func decimal(m *commonv1.Money) *big.Rat {
	r := new(big.Rat).SetInt64(m.GetUnits())
	return r.Add(r, big.NewRat(int64(m.GetNanos()), 1_000_000_000))
}

// cartError is a refused call's ErrorReason name, metadata and RetryInfo delay.
type cartError struct {
	reason   string
	metadata map[string]string
	delay    time.Duration
}

func explain(err error) cartError {
	out := cartError{}
	st, _ := status.FromError(err)
	for _, detail := range st.Details() {
		switch d := detail.(type) {
		case *errdetails.ErrorInfo:
			if d.GetDomain() == domain {
				out.reason, out.metadata = d.GetReason(), d.GetMetadata()
			}
		case *errdetails.RetryInfo:
			delay := d.GetRetryDelay()
			out.delay = time.Duration(delay.GetSeconds())*time.Second + time.Duration(delay.GetNanos())
		}
	}
	return out
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		log.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func show(label string, cart *cartv1.Cart) *cartv1.Cart {
	fmt.Printf("%s: cart %s (version %d)\n", label, cart.GetId(), cart.GetVersion())
	for _, line := range cart.GetItems() {
		fmt.Printf("  %d x %s (%s) at %s\n", line.GetQuantity(), line.GetProduct().GetName(),
			line.GetVariantId(), decimal(line.GetUnitPrice()).FloatString(2))
	}
	total := cart.GetSummary().GetTotal()
	fmt.Printf("  total %s %s\n", decimal(total).FloatString(2), total.GetCurrencyCode())
	return cart
}

func expect(ok bool, what string) {
	if !ok {
		log.Fatalf("unexpected answer: %s", what)
	}
}

// add is an AddItem with its own request_id: one per logical action, reused
// by its retries.
func add(shopper *cartv1.Shopper, variant string, quantity int32) *cartv1.AddItemRequest {
	return &cartv1.AddItemRequest{Shopper: shopper, ProductId: "prod-classic-tee",
		VariantId: variant, Quantity: quantity, RequestId: newID()}
}

func main() {
	target := "127.0.0.1:50051"
	if len(os.Args) > 1 {
		target = os.Args[1]
	}
	conn, err := grpc.Dial(target, grpc.WithInsecure())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := cartv1.NewCartServiceClient(conn)
	ctx := context.Background()
	run := newID()
	guest := &cartv1.Shopper{SessionId: "example-" + run}

	// 1. A guest adds two tees and reads the cart back.
	added, err := client.AddItem(ctx, add(guest, "var-classic-tee-m", 2))
	if err != nil {
		log.Fatal(err)
	}
	show("added", added.GetCart())
	read, err := client.GetCart(ctx, &cartv1.GetCartRequest{Shopper: guest})
	if err != nil {
		log.Fatal(err)
	}
	show("read", read.GetCart())
	expect(decimal(read.GetCart().GetSummary().GetTotal()).Cmp(big.NewRat(3998, 100)) == 0,
		"2 x 19.99 should total 39.98")

	// 2. Sign-in: the guest cart merges into the customer's.
	customer := &cartv1.Shopper{SessionId: guest.SessionId, CustomerId: "customer-" + run}
	merged, err := client.MergeGuestCart(ctx, &cartv1.MergeGuestCartRequest{Shopper: customer, RequestId: newID()})
	if err != nil {
		log.Fatal(err)
	}
	expect(len(show("signed in", merged.GetCart()).GetItems()) == 1, "the customer's cart should hold the guest's line")

	// 3. More than the stock: OUT_OF_STOCK, with the quantity available.
	_, err = client.AddItem(ctx, add(customer, "var-classic-tee-l", 50))
	refusal := explain(err)
	expect(err != nil && refusal.reason == cartv1.ErrorReason_OUT_OF_STOCK.String(), fmt.Sprint("OUT_OF_STOCK, not ", err))
	fmt.Printf("out of stock: only %s available\n", refusal.metadata["available_quantity"])

	// 4. Writes past the session's budget: RATE_LIMITED, with RetryInfo; the
	// retry after the delay reuses the request's request_id.
	busy := &cartv1.Shopper{SessionId: "example-busy-" + run}
	for i := 0; i < 1000; i++ {
		request := add(busy, "var-classic-tee-s", 1)
		if _, err := client.AddItem(ctx, request); err != nil {
			limited := explain(err)
			expect(limited.reason == cartv1.ErrorReason_RATE_LIMITED.String(), fmt.Sprint("RATE_LIMITED, not ", err))
			expect(limited.delay > 0, "RATE_LIMITED without RetryInfo")
			fmt.Printf("rate limited: retrying in %v\n", limited.delay)
			time.Sleep(limited.delay)
			retried, err := client.AddItem(ctx, request)
			if err != nil {
				log.Fatal(err)
			}
			show("retried", retried.GetCart())
			fmt.Println("ok")
			return
		}
	}
	log.Fatal("never rate limited")
}
