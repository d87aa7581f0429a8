use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use cart_client::proto::{CartAdminServiceClient, CartServiceClient};
use cart_service::config::Secret;
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;

const BFF: &str = "bff-token-0123456789";
const CHECKOUT: &str = "checkout-token-0123456789";

type Authorized = InterceptedService<
    Channel,
    Box<dyn FnMut(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> + Send>,
>;

async fn authorized(app: &TestApp, token: Option<&'static str>) -> Authorized {
    let channel = Channel::from_shared(format!("http://{}", app.addr))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    InterceptedService::new(
        channel,
        Box::new(move |mut request: tonic::Request<()>| {
            if let Some(token) = token {
                let value = MetadataValue::try_from(format!("Bearer {token}")).expect("header");
                request.metadata_mut().insert("authorization", value);
            }
            Ok(request)
        }),
    )
}

/// A CartService client sending `token`.
async fn client(app: &TestApp, token: Option<&'static str>) -> CartServiceClient<Authorized> {
    CartServiceClient::new(authorized(app, token).await)
}

/// A CartAdminService client sending `token`.
async fn admin(app: &TestApp, token: Option<&'static str>) -> CartAdminServiceClient<Authorized> {
    CartAdminServiceClient::new(authorized(app, token).await)
}

db_test!(
    callers_need_a_known_token_and_the_role_for_the_rpc,
    |settings| {
        settings.auth.storefront_tokens = Secret::new(BFF);
        settings.auth.service_tokens = Secret::new(CHECKOUT);
    },
    |app| {
        let add = add_tee_request("s1", 1);
        let (_, _) = expect_code(
            client(&app, None).await.add_item(add.clone()).await,
            Code::Unauthenticated,
        );
        let (_, _) = expect_code(
            client(&app, Some("guessed-token-0123456789"))
                .await
                .add_item(add.clone())
                .await,
            Code::Unauthenticated,
        );
        assert_eq!(app.stored().await.carts.len(), 0);
        let cart = client(&app, Some(BFF))
            .await
            .add_item(add)
            .await
            .expect("storefront may add")
            .into_inner()
            .cart
            .unwrap();
        let complete = complete_cart_request(&cart.id, "order-1");
        expect_code(
            admin(&app, Some(BFF))
                .await
                .complete_cart(complete.clone())
                .await,
            Code::PermissionDenied,
        );
        admin(&app, Some(CHECKOUT))
            .await
            .complete_cart(complete)
            .await
            .expect("service may complete");
        client(&app, Some(CHECKOUT))
            .await
            .get_cart(pb::GetCartRequest {
                shopper: shopper("s2"),
                ..Default::default()
            })
            .await
            .expect("service may call shopper RPCs");
        // Probes and debugging need no token.
        assert_eq!(status_of(&app, "").await, ServingStatus::Serving);
    }
);

/// Calls `path` (any method name) with a GetCart request and `token`.
async fn call_path(
    app: &TestApp,
    token: &str,
    path: &'static str,
) -> Result<tonic::Response<pb::GetCartResponse>, tonic::Status> {
    let channel = Channel::from_shared(format!("http://{}", app.addr))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("channel ready");
    let mut request = tonic::Request::new(pb::GetCartRequest {
        shopper: shopper("s1"),
        ..Default::default()
    });
    let value = MetadataValue::try_from(format!("Bearer {token}")).expect("header");
    request.metadata_mut().insert("authorization", value);
    let codec = tonic_prost::ProstCodec::<pb::GetCartRequest, pb::GetCartResponse>::default();
    let path = http::uri::PathAndQuery::from_static(path);
    grpc.unary(request, path, codec).await
}

db_test!(
    a_storefront_token_cannot_call_an_rpc_outside_the_storefront_list,
    |settings| {
        settings.auth.storefront_tokens = Secret::new(BFF);
        settings.auth.service_tokens = Secret::new(CHECKOUT);
    },
    |app| {
        // A service the role table does not list (one added later, or none
        // at all) needs the service role: deny by default.
        let unlisted = "/shop.cart.v1.CartPurgeService/PurgeAllCarts";
        expect_code(call_path(&app, BFF, unlisted).await, Code::PermissionDenied);
        // The service role passes the gate and meets a method that does not
        // exist.
        expect_code(
            call_path(&app, CHECKOUT, unlisted).await,
            Code::Unimplemented,
        );
        // A listed storefront RPC through the same path-based call is served.
        call_path(&app, BFF, "/shop.cart.v1.CartService/GetCart")
            .await
            .expect("storefront may read its cart");
    }
);

db_test!(
    the_bearer_scheme_is_case_insensitive,
    |settings| {
        settings.auth.storefront_tokens = Secret::new(BFF);
    },
    |app| {
        let channel = Channel::from_shared(format!("http://{}", app.addr))
            .expect("url")
            .connect()
            .await
            .expect("connect");
        let call = |scheme: &str| {
            let mut client = CartServiceClient::new(channel.clone());
            let mut request = tonic::Request::new(pb::GetCartRequest {
                shopper: shopper("s1"),
                ..Default::default()
            });
            let value = MetadataValue::try_from(format!("{scheme} {BFF}")).expect("header");
            request.metadata_mut().insert("authorization", value);
            async move { client.get_cart(request).await }
        };
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            call(scheme).await.expect(scheme);
        }
        expect_code(call("Basic").await, Code::Unauthenticated);
    }
);
