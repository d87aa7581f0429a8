-- Seeds a migrated cart database to production size: 1,000,000 carts
-- (psql -v carts=N; scripts/at-size.sh passes SEED_CARTS),
-- 5,000,000 lines and 20,000,000 events (scripts/at-size.sh runs it).
--
-- Carts by n % 10:
--   0      active, expired yesterday: what the expiry job sets aside (100,000)
--   1      abandoned 60 days ago, past the 30-day retention: what the purge
--          deletes with their lines and events (100,000)
--   2      merged 3 days ago, inside its 7-day retention (kept)
--   other  active, expiring in 20 days (700,000); every third cart of all of
--          them belongs to a customer, the rest are guests.
-- Every cart has 5 lines and 20 events. Foreign-key triggers are off while
-- loading (session_replication_role), which only this seed may do: the rows
-- are consistent by construction.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET synchronous_commit = off;

INSERT INTO carts (id, session_id, customer_id, email, currency, status, version, metadata,
                   created_at, updated_at, expires_at, expires_day, completed_order_id,
                   merged_into_cart_id)
SELECT md5('cart-' || n)::uuid,
       'seed-session-' || n,
       CASE WHEN n % 3 = 0 THEN 'seed-customer-' || n END,
       NULL, 'USD',
       CASE n % 10 WHEN 1 THEN 'abandoned' WHEN 2 THEN 'merged' ELSE 'active' END,
       20, NULL,
       t.at - interval '1 hour', t.at, t.expires, floor(extract(epoch FROM t.expires) / 86400)::bigint,
       NULL,
       CASE WHEN n % 10 = 2 THEN md5('cart-' || (n + 1))::uuid END
FROM generate_series(1, :carts) AS n,
LATERAL (SELECT CASE n % 10
                  WHEN 0 THEN now() - interval '31 days'
                  WHEN 1 THEN now() - interval '60 days'
                  WHEN 2 THEN now() - interval '3 days'
                  ELSE now() - interval '10 days' END AS at) AS a,
LATERAL (SELECT a.at, a.at + interval '30 days' AS expires) AS t;

INSERT INTO cart_items (id, cart_id, product_id, variant_id, quantity, price_at_time,
                        product_name, variant_name, sku, metadata, added_at, updated_at)
SELECT md5('line-' || n || '-' || k)::uuid, md5('cart-' || n)::uuid,
       'seed-product-' || ((n + k) % 500), 'seed-variant-' || ((n + k) % 500) || '-' || k,
       1 + k, 19.99, 'Seed product', 'Seed variant', 'SEED-' || k, NULL,
       now() - interval '10 days', now() - interval '10 days'
FROM generate_series(1, :carts) AS n, generate_series(1, 5) AS k;

INSERT INTO cart_events (cart_id, seq, event_type, event_data, created_at)
SELECT md5('cart-' || n)::uuid, s,
       CASE WHEN s = 1 THEN 'created' ELSE 'item_added' END,
       jsonb_build_object('variant_id', 'seed-variant-' || (s % 5), 'quantity', 1),
       now() - interval '10 days'
FROM generate_series(1, :carts) AS n, generate_series(1, 20) AS s;

RESET session_replication_role;
VACUUM ANALYZE carts;
VACUUM ANALYZE cart_items;
VACUUM ANALYZE cart_events;
