/// The channel profiles shipped with OrderCore. They are data: JSON read by the same parser as a
/// profile stored with `intake.profile_set`, which replaces a builtin of the same name.
/// `intake.profile_get` prints one as a starting point for a new channel (docs/channels.md).
enum BuiltinProfiles {
    static let all: [String: String] = [
        "shopify": shopify, "shopify_graphql": shopifyGraphQL, "woocommerce": woocommerce, "amazon": amazon,
        "taobao": taobao, "jd": jd, "pinduoduo": pinduoduo, "douyin": douyin, "csv": csv,
    ]

    /// What Shopify's refunds gave back: their transactions' amounts but those that failed (`status` `failure`
    /// or `error`) and the voids (`kind` `void`: an authorization let go, no money back — none was taken);
    /// `refunds` is the path to the refunds' transactions ("" from a refund, `refunds[].` from its order).
    private static func shopifyRefunded(_ refunds: String) -> String {
        #"{"subtract": [{"sum": "\#(refunds)transactions[].amount"}, {"add": ["#
            + #"{"sum": "\#(refunds)transactions[status=failure].amount"}, "#
            + #"{"sum": "\#(refunds)transactions[status=error].amount"}, "#
            + #"{"sum": "\#(refunds)transactions[kind=void][status=success].amount"}]}]}"#
    }

    /// The money an Amazon finances event (`ShipmentEvent`: a refund, a guarantee claim, a chargeback) gives the
    /// buyer back: the charges and promotions reversed, not the seller's fees.
    private static let amazonBuyerMoney =
        #"{"negate": {"add": ["#
        + #"{"sum": "OrderChargeAdjustmentList[].ChargeAmount.CurrencyAmount"}, "#
        + #"{"sum": "ShipmentItemAdjustmentList[].ItemChargeAdjustmentList[].ChargeAmount.CurrencyAmount"}, "#
        + #"{"sum": "ShipmentItemAdjustmentList[].PromotionAdjustmentList[].PromotionAmount.CurrencyAmount"}]}}"#

    /// An Amazon finances list (`list`) whose events are refunds of their order, named `amazon-{name}-...`.
    private static func amazonGivenBack(_ list: String, _ name: String, _ reason: String) -> String {
        #"{"type": "refund", "root": ["payload.FinancialEvents.\#(list)", "FinancialEvents.\#(list)", "\#(list)"], "#
            + #""when": {"AmazonOrderId": true, "ShipmentItemAdjustmentList": true}, "fields": {"#
            + #""external_id": "AmazonOrderId", "#
            + #""refund_ref": {"template": "amazon-\#(name)-{AmazonOrderId}-{PostedDate}"}, "#
            + #""amount": \#(amazonBuyerMoney), "reason": {"const": "\#(reason)"}, "#
            + #""units.path": "ShipmentItemAdjustmentList", "units.sku": "SellerSKU", "units.qty": "QuantityShipped", "#
            + #""units.line_ref": "OrderItemId"}}"#
    }

    /// Shopify's dispute statuses (`key`; GraphQL's in capitals) as `order.dispute`'s: `needs_response` and
    /// `under_review` open, `won`, `lost` and `accepted` (the merchant gave in) lost, `charge_refunded` (settled by a
    /// refund, which the order's refunds record) and `prevented` (it never became a chargeback) closed.
    private static func shopifyDisputeStatus(_ key: String, capitals: Bool = false) -> String {
        let statuses = [
            ("needs_response", "open"), ("under_review", "open"), ("won", "won"), ("lost", "lost"),
            ("accepted", "lost"), ("charge_refunded", "closed"), ("prevented", "closed"),
        ]
        let values = statuses.map { #""\#(capitals ? $0.0.uppercased() : $0.0)": "\#($0.1)""# }
        return #"{"map": "\#(key)", "values": {\#(values.joined(separator: ", "))}}"#
    }

    /// Where a Shopify parcel is, from a fulfillment's `shipment_status` or a fulfillment event's `status` (`key`):
    /// a parcel's (or tracking event's) `status` and `subtag` fields.
    private static func shopifyShipmentStatus(_ key: String) -> String {
        let statuses = [
            ("label_printed", "info_received"), ("label_purchased", "info_received"), ("confirmed", "info_received"),
            ("carrier_picked_up", "picked_up"), ("in_transit", "in_transit"), ("delayed", "in_transit"),
            ("out_for_delivery", "out_for_delivery"), ("ready_for_pickup", "out_for_delivery"),
            ("ready_for_recipient_pickup", "out_for_delivery"), ("attempted_delivery", "failed_attempt"),
            ("delivered", "delivered"), ("picked_up", "delivered"), ("failure", "exception"),
            ("not_delivered", "exception"), ("buyer_action_required", "exception"),
            ("returning_to_sender", "exception"),
        ]
        let values = statuses.map { #""\#($0.0)": "\#($0.1)""# }.joined(separator: ", ")
        return #""status": {"map": "\#(key)", "default": null, "values": {\#(values)}}, "#
            + #""subtag": {"map": "\#(key)", "default": null, "values": {"returning_to_sender": "Exception_010"}}"#
    }

    /// Whether a Shopify refund's units had not shipped, from the restock type (`key`) of each refunded line
    /// item (`each`: the path to every one; GraphQL's types in capitals): `cancel` (not fulfilled: taken off what
    /// is to ship) for every one, true; a `return` among them, false; otherwise (`no_restock`, `legacy_restock`:
    /// either) unsaid.
    private static func restockedUnshipped(_ each: String, _ key: String, capitals: Bool = false) -> String {
        func type(_ name: String) -> String { capitals ? name.uppercased() : name }
        func among(_ name: String, _ value: String) -> String {
            #"{"map": "\#(each)[\#(key)=\#(type(name))].\#(key)", "values": {"\#(type(name))": \#(value)}}"#
        }
        let cancel = #"{"map": "\#(each).\#(key)", "values": {"\#(type("cancel"))": true}}"#
        let either = #""either""#
        return #"{"first": [\#(among("return", "false")), \#(among("no_restock", either)), "#
            + #"\#(among("legacy_restock", either)), \#(cancel)]}"#
    }

    /// Shopify allocates every discount to the lines and the shipping lines (`discount_allocations`, summed in
    /// `total_discounts`): those amounts are the truth, `discount_codes` only name them. A shipping line's
    /// `price` is before its discount (a free-shipping code): the allocations are a `shipping` discount. A gift
    /// card sent by email, and a custom item (no product, no SKU: a tip, engraving), are charged as fees: there is
    /// no stock to hold for them, and an order that has them is still paid in full. A refund is the money its
    /// transactions gave back: one that failed (`status` `failure` or `error`), or only restocked units, gave
    /// nothing, and records nothing. The units a refund names (`refund_line_items`) no longer ship, whatever it
    /// gave back (`cancel_units`): Shopify takes refunded units off what it fulfils (a line's
    /// `fulfillable_quantity` is its quantity less the larger of its refunded and fulfilled units). A draft order
    /// (`draft_orders/*` webhooks) is skipped: the order it becomes arrives with an id of its own.
    /// An order on payment terms (`payment_terms`: B2B net terms, due on fulfilment; `pending` until paid) is
    /// sold on credit: fulfilled unpaid, due by its first schedule's `due_at` (none: once it ships).
    /// `partially_paid` (a deposit, payment terms, a split payment) is `deposit_paid`: what was paid,
    /// `current_total_price` less `total_outstanding`, is recorded, its stock held, and the rest paid when Shopify
    /// says `paid`; cash on delivery or terms paid in part waits unpaid with that part prepaid. `refunded` says
    /// all that was paid went back: its refunds tell what was paid (`paid_in_part` when it was less than the total).
    /// A dispute (`disputes/create`, `disputes/update`, `{"dispute":...}`) is the order's chargeback or inquiry
    /// (`shopifyDisputeStatus`); one of no order is skipped. `expired` (an authorization not captured in time) is
    /// unpaid, held; it and `voided` void the payment an earlier `authorized` recorded (`status.payment_voided`:
    /// no money was taken), and units taken off while `authorized` are not owed back (`status.payment_authorized`:
    /// Shopify captures less); a `test` order (the Bogus gateway, a gateway in test mode) moved no money
    /// (`MappedEvent.test`).
    static let shopify = #"""
        {"profile": "shopify",
         "description": "Shopify Admin REST: an order ({\"order\":...}), a list ({\"orders\":[...]}), the \#
        orders/create webhook (the order itself), refunds ({\"refund\":...}), disputes ({\"dispute\":...}) and \#
        fraud analysis (order risks {\"risks\":[...]}, orders/risk_assessment_changed) and where parcels are \#
        (fulfillment_events/create, fulfillments/update)",
         "events": [
          {"type": "risk", "root": ["risk", "risks", ""],
           "when": {"id": true, "order_id": true, "recommendation": ["cancel", "investigate", "accept"]},
           "fields": {"external_id": "order_id", "source": {"template": "shopify-risk-{id}"},
            "level": {"map": "recommendation", "values": {"cancel": "high", "investigate": "medium", "accept": "low"}},
            "message": {"first": ["merchant_message", "message"]}}},
          {"type": "skip", "when": {"order_id": true, "risk_level": "pending"}, "fields": {"external_id": "order_id"},
           "reason": "a fraud analysis not done yet: its verdict comes when it is"},
          {"type": "risk", "when": {"order_id": true, "risk_level": ["high", "medium", "low", "none"]},
           "fields": {"external_id": "order_id", "source": {"first": [
            {"template": "shopify-risk-provider-{provider_id}"}, {"const": "shopify-risk-provider-shopify"}]},
            "level": "risk_level", "message": {"template": "{provider_title}'s risk assessment"}}},
          {"type": "dispute", "root": ["dispute", "disputes", ""],
           "when": {"id": true, "order_id": true, "type": ["chargeback", "inquiry"], "status": true},
           "fields": {"external_id": "order_id", "dispute_ref": {"template": "shopify-dispute-{id}"}, "kind": "type",
            "amount": "amount", "currency": "currency", "reason": "reason",
            "status": \#(shopifyDisputeStatus("status"))}},
          {"type": "skip", "root": ["dispute", "disputes", ""],
           "when": {"id": true, "order_id": false, "type": ["chargeback", "inquiry"]}, "fields": {"external_id": "id"},
           "reason": "a dispute of a payment no order names: nothing here to hold or settle"},
          {"type": "refund", "root": ["refund", ""], "when": {"order_id": true, "transactions": true},
           "fields": {"external_id": "order_id", "refund_ref": {"template": "shopify-refund-{id}"},
            "amount": {"first": [\#(shopifyRefunded("")),
             {"const": "0"}]}, "reason": "note", "cancel_units": {"const": true}, "units.path": "refund_line_items",
            "before_shipment": \#(restockedUnshipped("refund_line_items[]", "restock_type")),
            "units.sku": {"first": ["line_item.sku", {"template": "shopify-variant-{line_item.variant_id}"}]},
            "units.qty": "quantity", "units.line_ref": "line_item_id"}},
          {"type": "skip", "root": ["draft_order", "draft_orders", ""],
           "when": {"id": true, "invoice_url": true, "status": ["open", "invoice_sent", "completed"]},
           "fields": {"external_id": "id"},
           "reason": "a draft order: Shopify creates the order, under an id of its own, once it is paid"},
          {"type": "skip", "root": ["fulfillment_event", ""],
           "when": {"@event_type": "fulfillment_events/delete", "fulfillment_id": true},
           "fields": {"external_id": "order_id"},
           "reason": "a fulfillment event deleted at Shopify: where the parcel is stays as the carrier's events say"},
          {"type": "tracking", "root": ["fulfillment_event", "fulfillment_events", ""],
           "when": {"id": true, "fulfillment_id": true, "order_id": true, "status": true},
           "fields": {"external_id": "order_id", "parcel_ref": "fulfillment_id",
            \#(shopifyShipmentStatus("status")), "time": {"first": ["happened_at", "created_at"]}}},
          {"type": "tracking", "root": ["fulfillment", ""],
           "when": {"id": true, "order_id": true, "line_items": true, "shipment_status": true,
            "status": {"not": ["cancelled", "error", "failure"]}},
           "fields": {"external_id": "order_id", "parcel_ref": "id", \#(shopifyShipmentStatus("shipment_status")),
            "time": {"first": ["updated_at", "created_at"]}}},
          {"type": "skip", "root": ["fulfillment", "fulfillment_order", ""],
           "when": {"id": true, "order_id": true, "line_items": true},
           "fields": {"external_id": "order_id"},
           "reason": "a fulfillment of an order, not an order: the order's own event (orders/updated) carries it"},
          {"type": "skip", "root": ["order_edit"], "when": {"id": true, "order_id": true, "line_items": true},
           "fields": {"external_id": "order_id"},
           "reason": "an order edit (orders/edited): the order's own event (orders/updated) carries its lines"},
          {"type": "skip", "root": ["transaction", ""],
           "when": {"id": true, "order_id": true, "kind": true, "gateway": true}, "fields": {"external_id": "order_id"},
           "reason": "a payment transaction: the order's own event (orders/paid, orders/updated) and \#
        refunds/create carry what it changed"},
          {"type": "skip", "when": {"id": true, "line_items": false, "order_id": false, "admin_graphql_api_id": false,
           "created_at": false}, "fields": {"external_id": "id"},
           "reason": "a deleted order (orders/delete names its id alone): Shopify deletes only a cancelled or \#
        archived order; nothing changes here"},
          {"type": "skip", "root": ["return", ""],
           "when": {"admin_graphql_api_id": {"prefix": "gid://shopify/Return/"}},
           "fields": {"external_id": {"first": ["order.id", "order_id", "id"]}},
           "reason": "a return at Shopify (returns/*): its money comes as refunds/create; the goods are taken in \#
        here with return.request when they arrive"},
          {"type": "skip", "when": {"admin_graphql_api_id": {"prefix": "gid://shopify/Reverse"}},
           "fields": {"external_id": {"first": ["order_id", "order.id", "id"]}},
           "reason": "a return's shipment back at Shopify (reverse_fulfillment_orders/*, reverse_deliveries/*): \#
        the goods are taken in here with return.request when they arrive"},
          {"type": "skip", "root": ["checkout", "checkouts", ""], "when": {"id": true, "abandoned_checkout_url": true},
           "fields": {"external_id": "id"},
           "reason": "a checkout: nobody has placed the order yet (orders/create brings it when someone does)"},
          {"type": "order", "root": ["order", "orders", ""], "when": {"id": true, "line_items": true},
           "fields": {
            "external_id": "id", "placed_at": {"first": ["created_at", "processed_at"]}, "updated_at": "updated_at",
            "currency": "currency",
            "customer.id": "customer.id", "customer.email": {"first": ["email", "contact_email", "customer.email"]},
            "customer.phone": {"first": ["phone", "customer.phone", "shipping_address.phone", "billing_address.phone"]},
            "customer.name": {"first": [{"join": ["customer.first_name", "customer.last_name"]},
             "shipping_address.name", "billing_address.name"]},
            "customer.ip": {"first": ["browser_ip", "client_details.browser_ip"]},
             "customer.account_created_at": "customer.created_at",
            "ship_to.name": "shipping_address.name", "ship_to.phone": "shipping_address.phone",
             "ship_to.country": "shipping_address.country_code",
            "ship_to.region": "shipping_address.province", "ship_to.city": "shipping_address.city",
             "ship_to.line1": "shipping_address.address1",
            "ship_to.line2": "shipping_address.address2", "ship_to.postal_code": "shipping_address.zip",
            "shipping_fee": {"sum": "shipping_lines[].price"},
             "shipping_tax": {"sum": "shipping_lines[].tax_lines[].price"},
            "taxes_included": "taxes_included", "test": "test", "note": "note", "tags": {"split": "tags"},
            "cash_on_delivery": {"map": "payment_gateway_names[]", "values": {"Cash on Delivery (COD)": true},
             "default": false},
            "payment_terms.name": {"first": ["payment_terms.payment_terms_name", "payment_terms.payment_terms_type"]},
             "payment_terms.due_at": "payment_terms.payment_schedules[0].due_at",
            "prepaid": {"subtract": ["total_price", {"first": ["total_outstanding", "total_price"]}]},
            "deposit": {"add": [{"subtract": [{"first": ["current_total_price", "total_price"]}, "total_outstanding"]},
             \#(shopifyRefunded("refunds[]."))]},
            "shipment.shipped_at": "fulfillments[0].created_at"},
           "parcels": {"path": "fulfillments",
            "fields": {"carrier": "tracking_company", "parcel_ref": "id",
             "cancelled": {"map": "status", "values": {"cancelled": true, "error": true, "failure": true},
              "default": false},
             "tracking_no": {"first": ["tracking_numbers[]", "tracking_number"]}, "shipped_at": "created_at",
             \#(shopifyShipmentStatus("shipment_status"))}},
           "lines": {"path": "line_items", "shipped_when": {"fulfillment_status": "fulfilled"},
            "not_stock": [{"when": {"gift_card": [true], "requires_shipping": [false]},
              "reason": "a gift card sent by email: a fee, not stock", "fee": {"name": "name",
              "amount": {"subtract": [{"multiply": ["price", "quantity"]}, {"sum": "discount_allocations[].amount"}]},
              "tax": {"sum": "tax_lines[].price"}, "returns_refund": {"const": false}}},
             {"when": {"variant_id": false, "sku": false},
              "reason": "a custom item (no product, no SKU: a tip, a service): a fee, not stock",
              "fee": {"name": "name",
              "amount": {"subtract": [{"multiply": ["price", "quantity"]}, {"sum": "discount_allocations[].amount"}]},
              "tax": {"sum": "tax_lines[].price"}, "returns_refund": {"const": false}}}],
            "fields": {"sku": "sku", "sku_fallback": {"template": "shopify-variant-{variant_id}"},
             "name": {"first": ["name", "title"]}, "line_ref": "id",
                       "qty": "quantity", "unit_price": "price",
                       "shipped_qty": {"subtract": ["current_quantity", "fulfillable_quantity"]},
                       "current_qty": "current_quantity",
                       "line_discount": {"first": [{"sum": "discount_allocations[].amount"}, "total_discount"]},
                        "tax": {"sum": "tax_lines[].price"}}},
           "discounts": [{"path": "shipping_lines",
            "fields": {"kind": {"const": "shipping"}, "amount": {"sum": "discount_allocations[].amount"}}}],
           "fees": {"path": "line_items[].duties", "fields": {"name": {"const": "Duties"},
            "amount": {"first": ["shop_money.amount", "price_set.shop_money.amount"]},
            "tax": {"sum": "tax_lines[].price"}}},
           "refunds": {"path": "refunds",
            "fields": {"refund_ref": {"template": "shopify-refund-{id}"},
             "amount": {"first": [\#(shopifyRefunded("")),
             {"const": "0"}]},
             "reason": "note", "cancel_units": {"const": true}, "at": "created_at",
             "before_shipment": \#(restockedUnshipped("refund_line_items[]", "restock_type")),
                       "units.path": "refund_line_items",
                       "units.sku": {"first": ["line_item.sku",
                        {"template": "shopify-variant-{line_item.variant_id}"}]},
                       "units.qty": "quantity", "units.line_ref": "line_item_id"}},
           "status": {"value": "financial_status",
            "inbound": {"pending": "pending_payment", "partially_paid": "deposit_paid", "authorized": "paid",
             "paid": "paid",
                        "partially_refunded": "paid", "refunded": "cancelled", "voided": "cancelled",
                         "expired": "on_hold"},
            "rules": [{"when": {"cancelled_at": "present"}, "state": "cancelled"},
                      {"when": {"fulfillment_status": "fulfilled"}, "state": "shipped"},
                      {"when": {"fulfillment_status": "partial"}, "state": "partially_shipped"}],
            "paid_in_part": [{"financial_status": "partially_refunded", "total_outstanding": {"above": 0}},
             {"financial_status": "refunded", "refunds[].transactions[].amount": "present",
              "total_outstanding": "present"}],
            "cancelled_unrefunded": ["paid", "partially_refunded", "partially_paid"],
            "cancelled_paid": ["paid", "partially_refunded", "partially_paid", "refunded"],
            "unpaid": ["pending", "partially_paid", "expired"], "payment_voided": ["voided", "expired"],
            "payment_authorized": ["authorized"]},
           "checks": {"grand_total": "total_price", "discount_total": "total_discounts", "tax_total": "total_tax"}}
         ]}
        """#

    /// WooCommerce spreads coupons over the lines (`subtotal` before, `total` after discounts). Its line
    /// and shipping amounts are before tax whatever `prices_include_tax` says (the store's display
    /// setting): tax is always added from `total_tax`. A positive fee line is an order fee, a negative
    /// one a discount.
    /// `failed` (the payment failed, and WooCommerce holds no stock for it) is unpaid and holds nothing
    /// here either: the buyer may pay again, and then it takes its stock.
    /// Cash on delivery (`payment_method` `cod`) is `processing` before the buyer has paid: unpaid here,
    /// shipped all the same; `completed` pays it.
    /// A refund's payload names its order only in its links (`_links.up`, the order's address, which ends in
    /// its id): without them, pass `external_id` to `intake.ingest`. A draft (the
    /// block checkout's `checkout-draft`, which webhooks deliver as the buyer types, or an admin's) is
    /// skipped: reserving for it would hold stock for carts nobody placed. Refunded with a `date_completed`, it was
    /// completed (shipped) before its refund: its shipment is recorded first (`"shipped": true`). Completed, it left
    /// at `date_completed`, in the parcels WooCommerce Shipment Tracking lists (`_wc_shipment_tracking_items`). Paid
    /// through WooPayments in its test mode (`_wcpay_mode` `test`), it is a test order: no money moved.
    static let woocommerce = #"""
        {"profile": "woocommerce",
         "description": "WooCommerce REST API v3: an order or a list of orders; a refund or a list of them (its \#
        order is the end of _links.up, or give external_id, the order's id)",
         "events": [
          {"type": "refund", "when": {"amount": true, "line_items": true, "total": false},
           "fields": {"external_id": {"first": ["@external_id",
             {"after_last": "_links.up[0].href", "sep": "/orders/"}]},
            "refund_ref": {"template": "woo-refund-{id}"}, "amount": "amount",
            "reason": "reason", "units.path": "line_items",
            "units.sku": {"first": ["sku", {"template": "woo-{variation_id}"}, {"template": "woo-{product_id}"}]},
            "units.qty": "quantity", "units.line_ref": "meta_data[key=_refunded_item_id].value"}},
          {"type": "skip", "when": {"id": true, "status": ["checkout-draft", "draft", "auto-draft"]},
           "fields": {"external_id": "id"}, "reason": "a draft: nobody has placed the order yet"},
          {"type": "skip", "when": {"id": true, "line_items": false, "status": false, "amount": false},
           "fields": {"external_id": "id"},
           "reason": "a deleted order (order.deleted names its id alone): WooCommerce deletes an order from the \#
        trash, and moving it there held it here; nothing changes here"},
          {"type": "skip", "when": {"code": "woocommerce_rest_shop_order_invalid_id", "data.status": 404},
           "fields": {"external_id": "code"},
           "reason": "WooCommerce's 'Invalid ID' sent in place of an order deleted before its webhook went out"},
          {"type": "order", "when": {"id": true, "line_items": true},
           "fields": {
            "external_id": "id", "placed_at": {"first": ["date_created_gmt", "date_created"]},
            "updated_at": {"first": ["date_modified_gmt", "date_modified"]}, "currency": "currency",
            "customer.id": {"map": "customer_id", "values": {"0": null}}, "customer.email": "billing.email",
             "customer.phone": "billing.phone",
            "customer.name": {"join": ["billing.first_name", "billing.last_name"]},
             "customer.ip": "customer_ip_address",
            "ship_to.name": {"join": ["shipping.first_name", "shipping.last_name"]},
             "ship_to.phone": {"first": ["shipping.phone", "billing.phone"]},
            "ship_to.country": "shipping.country", "ship_to.region": "shipping.state", "ship_to.city": "shipping.city",
            "ship_to.line1": "shipping.address_1", "ship_to.line2": "shipping.address_2",
             "ship_to.postal_code": "shipping.postcode",
            "shipping_fee": {"sum": "shipping_lines[].total"}, "shipping_tax": {"sum": "shipping_lines[].total_tax"},
            "taxes_included": {"const": false}, "note": "customer_note",
            "cash_on_delivery": {"map": "payment_method", "values": {"cod": true}, "default": false},
            "test": {"map": "meta_data[key=_wcpay_mode].value", "values": {"test": true}, "default": false},
            "shipment.shipped_at": {"first": ["date_completed_gmt", "date_completed"]}},
           "parcels": {"path": "meta_data[key=_wc_shipment_tracking_items].value",
            "fields": {"carrier": {"first": ["tracking_provider", "custom_tracking_provider"]},
             "tracking_no": "tracking_number", "shipped_at": {"epoch": "date_shipped"}, "parcel_ref": "tracking_id"}},
           "lines": {"path": "line_items",
            "fields": {"sku": "sku",
             "sku_fallback": {"first": [{"template": "woo-{variation_id}"}, {"template": "woo-{product_id}"}]},
             "name": "name", "line_ref": "id",
             "qty": "quantity",
                       "line_total": "subtotal", "line_discount": {"subtract": ["subtotal", "total"]},
                        "tax": "total_tax", "net": "total"}},
           "discounts": [{"path": "fee_lines", "when": {"total": {"below": 0}},
                          "fields": {"kind": {"const": "other"}, "code": "name", "amount": {"negate": "total"}}}],
           "fees": {"path": "fee_lines", "when": {"total": {"above": 0}}, "fields": {"name": "name", "amount": "total",
            "tax": "total_tax"}},
           "refunds": {"path": "refunds", "fields": {"refund_ref": {"template": "woo-refund-{id}"},
            "amount": {"negate": "total"}, "reason": "reason"}},
           "status": {"value": "status",
            "inbound": {"pending": "pending_payment", "on-hold": "pending_payment", "processing": "paid",
             "completed": "completed",
                        "cancelled": "cancelled", "refunded": "cancelled", "failed": "pending_payment",
                        "trash": "on_hold"},
            "rules": [{"when": {"payment_method": "cod", "status": "processing"}, "state": "pending_payment"},
                      {"when": {"status": "refunded", "date_completed": "present"}, "state": "cancelled",
                       "shipped": true}],
            "holds_nothing": ["failed"], "cancelled_unrefunded": ["cancelled"], "cancelled_paid": ["refunded"],
            "unpaid": ["trash"]},
           "checks": {"grand_total": "total", "discount_total": "discount_total", "tax_total": "total_tax",
            "shipping_fee": "shipping_total"}}
         ]}
        """#

    /// An Amazon v2026 order that replaces another (or exchanges its goods): the test of a profile's `if`.
    private static let amazonReplacement =
        #"{"^associatedOrders[].associationType": ["REPLACEMENT_ORIGINAL_ID", "EXCHANGE_ORIGINAL_ID"]}"#

    /// Amazon reports `ItemPrice` for the whole quantity: it is the line total. A replacement order
    /// (v0 `IsReplacementOrder`, v2026 `associatedOrders` `REPLACEMENT_ORIGINAL_ID` or `EXCHANGE_ORIGINAL_ID`:
    /// Amazon sends the buyer the goods again, free) is not paid at the price its items show (the buyer paid for
    /// them on the order it replaces: paid again here, a refund could give that money back twice): a v0 one costs
    /// nothing, its currency its marketplace's (`MarketplaceId`: it has no `OrderTotal`); a v2026 one what its
    /// items' `ITEM` proceeds say the buyer paid, nothing without them. Any other order without prices is refused
    /// (a dead letter naming `unit_price`), never taken as free.
    /// A seller-fulfilled cash-on-delivery order (v0 `PaymentMethod` `COD`, Japan) is paid to the seller's own
    /// carrier at the door — Amazon's finances call it `CollectOnDeliveryRevenue`, collected by the seller —
    /// so `Unshipped` and `Shipped` record no payment; the carrier's remittance is recorded here (`order.pay`).
    /// Amazon collects for the orders it fulfils itself (AFN), which stay paid. It charges the buyer as an order
    /// ships: one it cancels before (`Canceled`, `Unfulfillable`; an `ORDER_CHANGE` notification saying so, or the
    /// buyer's request to cancel one that has not left) took no money (`status.payment_voided`, a cancel's
    /// `payment_voided`).
    /// Refunds come from its finances (`RefundEventList`): the buyer's charges and promotions reversed, not the
    /// seller's fees. An A-to-z
    /// guarantee claim Amazon granted (`GuaranteeClaimEventList`) is a refund the same way, its units those it
    /// names; a chargeback the buyer's bank won (`ChargebackEventList`) is a lost chargeback of that money.
    /// An order the buyer asked to cancel (v0 `BuyerRequestedCancel`, v2026 an item's `cancellationRequest` not
    /// yet executed) waits on hold for the seller to cancel it on Amazon: it must not ship. A v2026 item whose
    /// cancellation was executed has no units left there (`current_qty` 0): the order's lines are compared, and
    /// the `channel_lines_changed` alert tells a person before it ships.
    static let amazon = #"""
        {"profile": "amazon",
         "description": "Amazon SP-API Orders v2026-01-01: a getOrder or searchOrders response; Orders v0: one \#
        order assembled as {\"order\": getOrder, \"items\": getOrderItems, \"address\": getOrderAddress, \"buyer\": \#
        getOrderBuyerInfo} (response bodies); ORDER_CHANGE notifications (a buyer-requested cancel, or a status \#
        change to Canceled, cancels); \#
        Finances v0 refunds, A-to-z claims and chargebacks (listFinancialEventsByOrderId: RefundEventList, \#
        GuaranteeClaimEventList, ChargebackEventList)",
         "events": [
          \#(amazonGivenBack("RefundEventList", "refund", "refunded on Amazon")),
          \#(amazonGivenBack("GuaranteeClaimEventList", "claim", "an A-to-z guarantee claim Amazon granted")),
          {"type": "dispute", "root": ["payload.FinancialEvents.ChargebackEventList",
           "FinancialEvents.ChargebackEventList", "ChargebackEventList"], "when": {"AmazonOrderId": true},
           "fields": {"external_id": "AmazonOrderId",
            "dispute_ref": {"template": "amazon-chargeback-{AmazonOrderId}-{PostedDate}"},
            "kind": {"const": "chargeback"}, "status": {"const": "lost"}, "amount": \#(amazonBuyerMoney),
            "reason": {"const": "charged back by the buyer's bank (Amazon's finances)"}}},
          {"type": "skip", "root": ["payload.FinancialEvents.ShipmentEventList", "FinancialEvents.ShipmentEventList",
           "ShipmentEventList"], "when": {"AmazonOrderId": true},
           "fields": {"external_id": "AmazonOrderId"},
           "reason": "an Amazon shipment's settlement: the order's own events carry its shipment and payment"},
          {"type": "cancel", "when": {"NotificationType": "ORDER_CHANGE",
           "Payload.OrderChangeNotification.OrderChangeTrigger.ChangeReason": "Buyer Requested Cancel"},
           "fields": {"external_id": "Payload.OrderChangeNotification.AmazonOrderId",
            "reason": {"template": "Amazon: {Payload.OrderChangeNotification.OrderChangeTrigger.ChangeReason}"},
            "payment_voided": {"const": true}, "requested": {"const": true}}},
          {"type": "cancel", "when": {"NotificationType": "ORDER_CHANGE",
           "Payload.OrderChangeNotification.Summary.OrderStatus": ["Canceled", "Unfulfillable"]},
           "fields": {"external_id": "Payload.OrderChangeNotification.AmazonOrderId",
            "reason": {"const": "cancelled on Amazon"}, "payment_voided": {"const": true}}},
          {"type": "skip", "root": [""], "when": {"NotificationType": true},
           "fields": {"external_id": {"first": ["Payload.OrderChangeNotification.AmazonOrderId", "NotificationType"]}},
           "reason": "a notification that changes nothing OrderCore keeps"},
          {"type": "skip", "root": ["order.payload", "order"],
           "when": {"AmazonOrderId": true, "OrderStatus": ["Pending", "PendingAvailability"],
            "/items.payload.OrderItems[0].ItemPrice.Amount": false},
           "fields": {"external_id": "AmazonOrderId"}, "reason": "a pending Amazon order has no prices yet: it is \#
        created when Amazon reports it Unshipped"},
          {"type": "cancel", "root": ["order.payload", "order"],
           "when": {"AmazonOrderId": true, "OrderStatus": "Canceled",
            "/items.payload.OrderItems[0].ItemPrice.Amount": false},
           "fields": {"external_id": "AmazonOrderId", "reason": {"const": "cancelled on Amazon"},
            "payment_voided": {"const": true}}},
          {"type": "order", "root": ["order.payload", "order"], "when": {"AmazonOrderId": true},
           "fields": {
            "external_id": "AmazonOrderId", "placed_at": "PurchaseDate", "updated_at": "LastUpdateDate",
            "currency": {"first": ["OrderTotal.CurrencyCode", "/items.payload.OrderItems[0].ItemPrice.CurrencyCode",
             {"map": "MarketplaceId", "default": null, "values": {"ATVPDKIKX0DER": "USD", "A2EUQ1WTGCTBG2": "CAD",
              "A1AM78C64UM0Y8": "MXN", "A2Q3Y263D00KWC": "BRL", "A1F83G8C2ARO7P": "GBP", "A1PA6795UKMFR9": "EUR",
              "A13V1IB3VIYZZH": "EUR", "APJ6JRA9NG5V4": "EUR", "A1RKKUPIHCS9HS": "EUR", "A1805IZSGTT6HS": "EUR",
              "AMEN7PMS3EDWL": "EUR", "A28R8C7NBKEWEA": "EUR", "A2NODRKZP88ZB9": "SEK", "A1C3SOZRARQ6R3": "PLN",
              "A33AVAJ2PDY3EV": "TRY", "ARBP9OOSHTCHU": "EGP", "A17E79C6D8DWNP": "SAR", "A2VIGQ35RCS4UG": "AED",
              "A21TJRUUN4KGV": "INR", "AE08WJ6YKNBMC": "ZAR", "A1VC38T7YXB528": "JPY", "A39IBJ37TRP1C6": "AUD",
              "A19VAU5U5O7RUS": "SGD"}}]},
            "customer.email": {"first": ["/buyer.payload.BuyerEmail", "BuyerInfo.BuyerEmail"]},
            "customer.name": {"first": ["/buyer.payload.BuyerName", "BuyerInfo.BuyerName"]},
            "ship_to.name": {"first": ["/address.payload.ShippingAddress.Name", "ShippingAddress.Name"]},
            "ship_to.phone": {"first": ["/address.payload.ShippingAddress.Phone", "ShippingAddress.Phone"]},
            "ship_to.country": {"first": ["/address.payload.ShippingAddress.CountryCode",
             "ShippingAddress.CountryCode"]},
            "ship_to.region": {"first": ["/address.payload.ShippingAddress.StateOrRegion",
             "ShippingAddress.StateOrRegion"]},
            "ship_to.city": {"first": ["/address.payload.ShippingAddress.City", "ShippingAddress.City"]},
            "ship_to.line1": {"first": ["/address.payload.ShippingAddress.AddressLine1",
             "ShippingAddress.AddressLine1"]},
            "ship_to.line2": {"first": ["/address.payload.ShippingAddress.AddressLine2",
             "ShippingAddress.AddressLine2"]},
            "ship_to.postal_code": {"first": ["/address.payload.ShippingAddress.PostalCode",
             "ShippingAddress.PostalCode"]},
            "shipping_fee": {"sum": "/items.payload.OrderItems[].ShippingPrice.Amount"},
            "shipping_tax": {"sum": "/items.payload.OrderItems[].ShippingTax.Amount"},
             "taxes_included": {"const": false},
            "fulfilled_by": {"map": "FulfillmentChannel", "values": {"AFN": "channel", "MFN": "merchant"}},
            "cash_on_delivery": {"map": {"template": "{FulfillmentChannel}:{PaymentMethod}"},
             "values": {"MFN:COD": true}, "default": false},
            "prepaid": {"subtract": [{"sum": "PaymentExecutionDetail[].Payment.Amount"},
             {"sum": "PaymentExecutionDetail[PaymentMethod=COD].Payment.Amount"}]},
            "shipment.shipped_at": "LastUpdateDate"},
           "lines": {"path": "/items.payload.OrderItems",
            "fields": {"sku": "SellerSKU", "sku_fallback": {"template": "amazon-{ASIN}"}, "name": "Title",
             "line_ref": "OrderItemId",
             "qty": "QuantityOrdered", "shipped_qty": "QuantityShipped",
                       "line_total": {"first": [{"map": {"first": [
                        "/order.payload.IsReplacementOrder", "/order.IsReplacementOrder"]},
                        "values": {"true": "0"}, "default": null}, "ItemPrice.Amount"]},
                       "line_discount": "PromotionDiscount.Amount",
                        "tax": "ItemTax.Amount"}},
           "discounts": [{"path": "/items.payload.OrderItems",
                          "fields": {"kind": {"const": "shipping"}, "code": {"const": "shipping_discount"},
                           "amount": "ShippingDiscount.Amount"}}],
           "fees": [{"path": "/items.payload.OrderItems", "fields": {"name": {"const": "Gift wrap"},
                     "amount": "BuyerInfo.GiftWrapPrice.Amount", "tax": "BuyerInfo.GiftWrapTax.Amount"}},
                    {"path": "/items.payload.OrderItems", "fields": {"name": {"const": "Cash on delivery fee"},
                     "amount": {"subtract": ["CODFee.Amount", "CODFeeDiscount.Amount"]}}}],
           "status": {"value": "OrderStatus",
            "inbound": {"PendingAvailability": "pending_payment", "Pending": "pending_payment", "Unshipped": "paid",
             "InvoiceUnconfirmed": "shipped",
                        "PartiallyShipped": "partially_shipped", "Shipped": "shipped", "Canceled": "cancelled",
                         "Unfulfillable": "cancelled"},
            "payment_voided": ["Canceled", "Unfulfillable"],
            "rules": [{"when": {"FulfillmentChannel": "MFN", "PaymentMethod": "COD", "OrderStatus": "Unshipped",
                        "/items.payload.OrderItems[].BuyerRequestedCancel.IsBuyerRequestedCancel": "true"},
                       "state": "on_hold", "unpaid": true},
                      {"when": {"OrderStatus": "Unshipped",
                        "/items.payload.OrderItems[].BuyerRequestedCancel.IsBuyerRequestedCancel": "true"},
                       "state": "on_hold"},
                      {"when": {"FulfillmentChannel": "MFN", "PaymentMethod": "COD", "OrderStatus": "Unshipped"},
                       "state": "pending_payment"},
                      {"when": {"FulfillmentChannel": "MFN", "PaymentMethod": "COD", "OrderStatus": "PartiallyShipped"},
                       "state": "partially_shipped", "unpaid": true},
                      {"when": {"FulfillmentChannel": "MFN", "PaymentMethod": "COD",
                       "OrderStatus": ["Shipped", "InvoiceUnconfirmed"]}, "state": "shipped", "unpaid": true}]},
           "checks": {"grand_total": "OrderTotal.Amount"}},
          {"type": "skip", "root": ["order", "orders", ""],
           "when": {"orderId": true, "fulfillment.fulfillmentStatus": ["PENDING", "PENDING_AVAILABILITY"],
            "orderItems[0].product.price.unitPrice.amount": false},
           "fields": {"external_id": "orderId"}, "reason": "a pending Amazon order has no prices yet: it is created \#
        when Amazon reports it Unshipped"},
          {"type": "cancel", "root": ["order", "orders", ""],
           "when": {"orderId": true, "fulfillment.fulfillmentStatus": "CANCELLED",
            "orderItems[0].product.price.unitPrice.amount": false},
           "fields": {"external_id": "orderId", "reason": {"const": "cancelled on Amazon"}}},
          {"type": "order", "root": ["order", "orders", ""], "when": {"orderId": true, "orderItems": true},
           "fields": {
            "external_id": "orderId", "placed_at": "createdTime", "updated_at": "lastUpdatedTime",
            "currency": {"first": ["proceeds.grandTotal.currencyCode",
             "orderItems[0].product.price.unitPrice.currencyCode"]},
            "customer.email": "buyer.buyerEmail", "customer.name": "buyer.buyerName",
            "ship_to.name": "recipient.deliveryAddress.name", "ship_to.phone": "recipient.deliveryAddress.phone",
            "ship_to.country": "recipient.deliveryAddress.countryCode",
            "ship_to.region": "recipient.deliveryAddress.stateOrRegion",
            "ship_to.city": "recipient.deliveryAddress.city",
            "ship_to.district": "recipient.deliveryAddress.districtOrCounty",
            "ship_to.line1": "recipient.deliveryAddress.addressLine1",
            "ship_to.line2": "recipient.deliveryAddress.addressLine2",
            "ship_to.postal_code": "recipient.deliveryAddress.postalCode",
            "shipping_fee": {"sum": "orderItems[].proceeds.breakdowns[type=SHIPPING].subtotal.amount"},
            "shipping_tax": {"sum": "orderItems[].proceeds.breakdowns[type=TAX].\#
        detailedBreakdowns[subtype=SHIPPING].value.amount"},
            "taxes_included": {"const": false},
            "fulfilled_by": {"map": "fulfillment.fulfilledBy", "values": {"AMAZON": "channel", "MERCHANT": "merchant"}},
            "cash_on_delivery": {"map": "orderItems[].fulfillment.shipping.shippingConstraints.cashOnDelivery",
             "values": {"MANDATORY": true}, "default": false},
            "shipment.shipped_at": {"first": ["packages[0].shipTime", "lastUpdatedTime"]}},
           "parcels": {"path": "packages",
            "fields": {"carrier": "carrier", "tracking_no": "trackingNumber", "shipped_at": "shipTime",
             "parcel_ref": "packageReferenceId",
             "cancelled": {"first": [{"map": "packageStatus.status", "values": {"CANCELLED": true}, "default": null},
              {"map": "packageStatus.detailedStatus", "values": {"LABEL_CANCELLED": true}, "default": false}]},
             "status": {"first": [{"map": "packageStatus.detailedStatus", "default": null, "values": {
               "PENDING_SCHEDULE": "info_received", "PENDING_PICK_UP": "info_received",
               "PENDING_DROP_OFF": "info_received", "PICKED_UP": "picked_up", "DROPPED_OFF": "picked_up",
               "AT_ORIGIN_FC": "in_transit", "AT_DESTINATION_FC": "in_transit", "OUT_FOR_DELIVERY": "out_for_delivery",
               "DELIVERED": "delivered", "REJECTED_BY_BUYER": "exception", "UNDELIVERABLE": "exception",
               "RETURNING_TO_SELLER": "exception", "RETURNED_TO_SELLER": "exception", "LOST": "exception",
               "DAMAGED": "exception"}},
              {"map": "packageStatus.status", "default": null, "values": {"PENDING": "info_received",
               "SHIPPED": "picked_up", "IN_TRANSIT": "in_transit", "DELIVERED": "delivered",
               "UNDELIVERABLE": "exception"}}]},
             "subtag": {"map": "packageStatus.detailedStatus", "default": null, "values": {
              "REJECTED_BY_BUYER": "Exception_003", "RETURNING_TO_SELLER": "Exception_010",
              "RETURNED_TO_SELLER": "Exception_011", "LOST": "Exception_013", "DAMAGED": "Exception_012",
              "UNDELIVERABLE": "Exception_007"}}}},
           "lines": {"path": "orderItems",
            "fields": {"sku": "product.sellerSku", "sku_fallback": {"template": "amazon-{product.asin}"},
             "line_ref": "orderItemId",
             "name": "product.title", "qty": "quantityOrdered", "shipped_qty": "fulfillment.quantityFulfilled",
             "current_qty": {"if": {"cancellation.cancellationExecution": true}, "then": {"const": "0"}},
             "unit_price": {"if": \#(amazonReplacement), "else": "product.price.unitPrice.amount"},
             "line_total": {"if": \#(amazonReplacement),
              "then": {"first": [{"sum": "proceeds.breakdowns[type=ITEM].subtotal.amount"}, {"const": "0"}]}},
             "tax": {"subtract": [{"sum": "proceeds.breakdowns[type=TAX].subtotal.amount"},
              {"sum": "proceeds.breakdowns[type=TAX].detailedBreakdowns[subtype=SHIPPING].value.amount"}]}}},
           "discounts": [{"path": "orderItems[].proceeds.breakdowns",
                          "when": {"type": "DISCOUNT", "subtotal.amount": {"below": 0}},
                          "fields": {"kind": {"const": "promotion"}, "code": {"const": "amazon_promotion"},
                           "amount": {"negate": {"subtract": ["subtotal.amount",
                            {"sum": "detailedBreakdowns[subtype=SHIPPING].value.amount"}]}}}},
                         {"path": "orderItems[].proceeds.breakdowns",
                          "when": {"type": "DISCOUNT", "subtotal.amount": {"above": 0}},
                          "fields": {"kind": {"const": "promotion"}, "code": {"const": "amazon_promotion"},
                           "amount": {"subtract": ["subtotal.amount",
                            {"sum": "detailedBreakdowns[subtype=SHIPPING].value.amount"}]}}},
                         {"path": "orderItems[].proceeds.breakdowns",
                          "when": {"type": "DISCOUNT", "subtotal.amount": {"below": 0}},
                          "fields": {"kind": {"const": "shipping"}, "code": {"const": "amazon_shipping_promotion"},
                           "amount": {"negate": {"sum": "detailedBreakdowns[subtype=SHIPPING].value.amount"}}}},
                         {"path": "orderItems[].proceeds.breakdowns",
                          "when": {"type": "DISCOUNT", "subtotal.amount": {"above": 0}},
                          "fields": {"kind": {"const": "shipping"}, "code": {"const": "amazon_shipping_promotion"},
                           "amount": {"sum": "detailedBreakdowns[subtype=SHIPPING].value.amount"}}}],
           "fees": [{"path": "orderItems[].proceeds.breakdowns", "when": {"type": ["GIFT_WRAP", "COD_FEE", "OTHER"]},
                     "fields": {"name": {"map": "type", "values": {"GIFT_WRAP": "Gift wrap",
                      "COD_FEE": "Cash on delivery fee", "OTHER": "Other charge"}}, "amount": "subtotal.amount"}},
                    {"path": "proceeds.breakdowns", "when": {"type": "DELIVERY_TIP"},
                     "fields": {"name": {"const": "Delivery tip"}, "amount": "subtotal.amount"}}],
           "status": {"value": "fulfillment.fulfillmentStatus",
            "inbound": {"PENDING_AVAILABILITY": "pending_payment", "PENDING": "pending_payment", "UNSHIPPED": "paid",
             "PARTIALLY_SHIPPED": "partially_shipped", "SHIPPED": "shipped", "INVOICE_UNCONFIRMED": "shipped",
             "CANCELLED": "cancelled",
             "UNFULFILLABLE": "cancelled"},
            "payment_voided": ["CANCELLED", "UNFULFILLABLE"],
            "rules": [{"when": {"fulfillment.fulfilledBy": "MERCHANT", "fulfillment.fulfillmentStatus": "UNSHIPPED",
                        "orderItems[].fulfillment.shipping.shippingConstraints.cashOnDelivery": "MANDATORY",
                        "orderItems[].cancellation.cancellationRequest.requester": "BUYER",
                        "orderItems[].cancellation.cancellationExecution": "absent"},
                       "state": "on_hold", "unpaid": true},
                      {"when": {"fulfillment.fulfillmentStatus": "UNSHIPPED",
                        "orderItems[].cancellation.cancellationRequest.requester": "BUYER",
                        "orderItems[].cancellation.cancellationExecution": "absent"},
                       "state": "on_hold"},
                      {"when": {"fulfillment.fulfilledBy": "MERCHANT", "fulfillment.fulfillmentStatus": "UNSHIPPED",
                        "orderItems[].fulfillment.shipping.shippingConstraints.cashOnDelivery": "MANDATORY"},
                       "state": "pending_payment"},
                      {"when": {"fulfillment.fulfilledBy": "MERCHANT",
                        "fulfillment.fulfillmentStatus": "PARTIALLY_SHIPPED",
                        "orderItems[].fulfillment.shipping.shippingConstraints.cashOnDelivery": "MANDATORY"},
                       "state": "partially_shipped", "unpaid": true},
                      {"when": {"fulfillment.fulfilledBy": "MERCHANT",
                        "fulfillment.fulfillmentStatus": ["SHIPPED", "INVOICE_UNCONFIRMED"],
                        "orderItems[].fulfillment.shipping.shippingConstraints.cashOnDelivery": "MANDATORY"},
                       "state": "shipped", "unpaid": true}]},
           "checks": {"grand_total": "proceeds.grandTotal.amount"}}
         ]}
        """#

    /// Taobao's sub-order `discount_fee` and `adjust_fee` are the line's own discounts; shop-wide
    /// promotions reach the lines as `part_mjz_discount`. `promotion_details` only name promotions
    /// whose money is already in those fields, so they are not counted again. A sub-order without the
    /// merchant's SKU code (`outer_sku_id`) falls back to Taobao's SKU (`sku_id`, an item with sizes or colours),
    /// and only for an item without SKUs to the item's code (`outer_iid`, the same for every size).
    /// A sub-order refunded and closed (`status` `TRADE_CLOSED`) does not ship, whatever its refund came to;
    /// one refunded in part and still open (a price difference given back) ships. A pre-sale (a step trade,
    /// `type` `step`) whose deposit is paid (`step_trade_status` `FRONT_PAID_FINAL_NOPAID`, the trade still
    /// `WAIT_BUYER_PAY`) is `deposit_paid`, its deposit `step_paid_fee`; closed by Taobao with its balance
    /// unpaid (`TRADE_CLOSED_BY_TAOBAO`: closed before it was paid in full) it keeps its deposit. `TRADE_CLOSED`
    /// (closed after a refund) was paid: first seen so, a trade is recorded paid and refunded, a pre-sale whose
    /// balance was never paid its deposit alone. With a `consign_time` it was closed after it shipped (returned
    /// and refunded, or refunded without a return): its shipment is recorded first (`"shipped": true`).
    static let taobao = #"""
        {"profile": "taobao",
         "description": "Taobao/Tmall trade (the taobao.trade.fullinfo.get or taobao.trade.get response, the trade, \#
        or the trades of taobao.trades.sold.get and .increment.get asked with their orders): sub-orders are lines; \#
        and refunds (taobao.refund.get, taobao.refunds.receive.get); times are Beijing time",
         "time_offset_minutes": 480,
         "events": [
          {"type": "refund", "root": ["refund_get_response.refund", "refunds_receive_get_response.refunds.refund",
           "refunds.refund", "refund", ""],
           "when": {"refund_id": true, "tid": true, "status": "SUCCESS", "orders": false},
           "fields": {"external_id": "tid", "refund_ref": {"template": "taobao-refund-{refund_id}"},
            "amount": "refund_fee", "reason": "reason"}},
          {"type": "skip", "root": ["refund_get_response.refund", "refunds_receive_get_response.refunds.refund",
           "refunds.refund", "refund", ""], "when": {"refund_id": true, "tid": true, "orders": false},
           "fields": {"external_id": "tid"},
           "reason": "a Taobao refund not made (yet): only one that succeeded (status SUCCESS) gives money back"},
          {"type": "order", "root": ["trade_fullinfo_get_response.trade", "trade_get_response.trade",
           "trades_sold_get_response.trades.trade", "trades_sold_increment_get_response.trades.trade",
           "open_trades_sold_get_response.trades.trade", "trades.trade", "trade", ""], "when": {"tid": true},
           "fields": {
            "external_id": "tid", "placed_at": "created", "updated_at": "modified", "currency": {"const": "CNY"},
            "customer.id": "buyer_nick", "customer.email": "buyer_email", "customer.phone": "receiver_mobile",
             "customer.name": "receiver_name",
            "ship_to.name": "receiver_name", "ship_to.phone": {"first": ["receiver_mobile", "receiver_phone"]},
             "ship_to.country": {"const": "CN"},
            "ship_to.region": "receiver_state", "ship_to.city": "receiver_city",
             "ship_to.district": "receiver_district",
            "ship_to.line1": "receiver_address", "ship_to.postal_code": "receiver_zip",
            "shipping_fee": "post_fee", "taxes_included": {"const": true}, "note": "buyer_message",
            "deposit": "step_paid_fee",
            "cash_on_delivery": {"map": "type", "values": {"cod": true, "b2c_cod": true,
             "super_market_cod_trade": true}, "default": false},
            "shipment.shipped_at": "consign_time"},
           "parcels": {"path": "orders.order",
            "fields": {"carrier": "logistics_company", "tracking_no": "invoice_no", "shipped_at": "consign_time"}},
           "lines": {"path": "orders.order", "shipped_when": {"status": ["WAIT_BUYER_CONFIRM_GOODS",
            "TRADE_BUYER_SIGNED", "TRADE_FINISHED"]},
            "fields": {"sku": "outer_sku_id",
             "sku_fallback": {"first": [{"template": "taobao-{sku_id}"}, "outer_iid",
              {"template": "taobao-item-{num_iid}"}]},
             "name": "title", "qty": "num", "line_ref": "oid",
                       "unit_price": "price", "line_discount": {"add": ["discount_fee", "adjust_fee"]},
                        "net": "total_fee"}},
           "refunds": {"path": "orders.order", "when": {"refund_status": "SUCCESS"},
            "fields": {"refund_ref": {"template": "taobao-refund-{refund_id}"}, "amount": {"first": ["refund_fee",
             "payment"]}, "cancel_units": {"map": "status", "values": {"TRADE_CLOSED": true,
              "TRADE_CLOSED_BY_TAOBAO": true}, "default": false},
                       "units.sku": {"first": ["outer_sku_id", {"template": "taobao-{sku_id}"}, "outer_iid",
                        {"template": "taobao-item-{num_iid}"}]}, "units.qty": "num", "units.line_ref": "oid"}},
           "discounts": [{"path": "orders.order",
                          "fields": {"kind": {"const": "promotion"}, "code": {"const": "shop_promotion"},
                           "amount": "part_mjz_discount"}}],
           "status": {"value": "status",
            "inbound": {"TRADE_NO_CREATE_PAY": "pending_payment", "WAIT_BUYER_PAY": "pending_payment",
             "PAY_PENDING": "pending_payment",
                        "WAIT_PRE_AUTH_CONFIRM": "pending_payment", "WAIT_SELLER_SEND_GOODS": "paid",
                         "PAID_FORBID_CONSIGN": "on_hold",
                         "SELLER_CONSIGNED_PART": "partially_shipped",
                        "WAIT_BUYER_CONFIRM_GOODS": "shipped", "TRADE_BUYER_SIGNED": "delivered",
                         "TRADE_FINISHED": "completed",
                        "TRADE_CLOSED": "cancelled", "TRADE_CLOSED_BY_TAOBAO": "cancelled"},
            "deposit_forfeited": ["TRADE_CLOSED_BY_TAOBAO"], "cancelled_paid": ["TRADE_CLOSED"],
            "rules": [{"when": {"step_trade_status": "FRONT_PAID_FINAL_NOPAID",
             "status": ["WAIT_BUYER_PAY", "TRADE_NO_CREATE_PAY", "PAY_PENDING"]}, "state": "deposit_paid"},
                      {"when": {"step_trade_status": "FRONT_PAID_FINAL_NOPAID", "status": "TRADE_CLOSED"},
                       "state": "cancelled", "unpaid": true},
                      {"when": {"status": "TRADE_CLOSED", "consign_time": "present"}, "state": "cancelled",
                       "shipped": true},
                      {"when": {"type": ["cod", "b2c_cod", "super_market_cod_trade"],
             "status": "WAIT_SELLER_SEND_GOODS", "orders.order[].refund_status": "WAIT_SELLER_AGREE"},
                       "state": "on_hold", "unpaid": true},
                      {"when": {"status": "WAIT_SELLER_SEND_GOODS",
             "orders.order[].refund_status": "WAIT_SELLER_AGREE"}, "state": "on_hold"},
                      {"when": {"type": ["cod", "b2c_cod", "super_market_cod_trade"],
                       "status": "WAIT_SELLER_SEND_GOODS"}, "state": "pending_payment"},
                      {"when": {"type": ["cod", "b2c_cod", "super_market_cod_trade"],
                       "status": "SELLER_CONSIGNED_PART"}, "state": "partially_shipped", "unpaid": true},
                      {"when": {"type": ["cod", "b2c_cod", "super_market_cod_trade"],
                       "status": "WAIT_BUYER_CONFIRM_GOODS"}, "state": "shipped", "unpaid": true}]},
           "checks": {"grand_total": "payment"}}
         ]}
        """#

    /// JD (京东) POP orders: `jingdong.pop.order.get` / `.search` (`orderInfo` or an `orderInfoList`);
    /// amounts in yuan; Beijing time. `orderTotalPrice` is the goods before discounts, `sellerDiscount` the
    /// shop's discounts, `freightPrice` the shipping; `orderPayment` what the buyer paid (the check).
    /// `TRADE_CANCELED` with a `waybill` was cancelled after it left (a cash-on-delivery parcel refused at the
    /// door): its shipment is recorded first (`"shipped": true`).
    static let jd = #"""
        {"profile": "jd",
         "description": "JD (京东) POP order: jingdong.pop.order.get (orderDetailInfo.orderInfo) or .search \#
        (orderInfoList); amounts in yuan; Beijing time",
         "time_offset_minutes": 480, "time_format": "%Y-%m-%d %H:%M:%S",
         "events": [
          {"type": "order", "root": ["jingdong_pop_order_get_responce.orderDetailInfo.orderInfo",
           "orderDetailInfo.orderInfo", "orderInfo",
                                     "searchorderinfo_result.orderInfoList", "orderInfoList", ""],
           "when": {"orderId": true, "itemInfoList": true},
           "fields": {
            "external_id": "orderId", "placed_at": "orderStartTime", "updated_at": "modified",
            "currency": {"const": "CNY"},
            "customer.id": "pin", "customer.name": "consigneeInfo.fullname",
             "customer.phone": {"first": ["consigneeInfo.mobile", "consigneeInfo.telephone"]},
            "ship_to.name": "consigneeInfo.fullname", "ship_to.phone": {"first": ["consigneeInfo.mobile",
             "consigneeInfo.telephone"]},
            "ship_to.country": {"const": "CN"}, "ship_to.region": "consigneeInfo.province",
             "ship_to.city": "consigneeInfo.city",
            "ship_to.district": "consigneeInfo.county", "ship_to.line1": "consigneeInfo.fullAddress",
            "shipping_fee": "freightPrice", "taxes_included": {"const": true}, "note": "orderRemark",
            "cash_on_delivery": {"map": "payType", "values": {"1": true, "1-货到付款": true}, "default": false},
            "shipment.carrier": {"template": "jd-logistics-{logisticsId}"}, "shipment.tracking_no": "waybill"},
           "lines": {"path": "itemInfoList",
            "fields": {"sku": "outerSkuId", "sku_fallback": {"first": [{"template": "jd-{skuId}"}, "productNo"]},
             "name": "skuName",
                       "qty": "itemTotal", "unit_price": "jdPrice"}},
           "discounts": [{"path": "", "fields": {"kind": {"const": "promotion"}, "code": {"const": "seller_discount"},
            "amount": "sellerDiscount"}}],
           "status": {"value": "orderState",
            "inbound": {"WAIT_SELLER_STOCK_OUT": "paid", "WAIT_SELLER_DELIVERY": "paid", "POP_ORDER_PAUSE": "on_hold",
             "PAUSE": "on_hold", "LOCKED": "on_hold",
                        "SEND_TO_DISTRIBUTION_CENER": "shipped", "DISTRIBUTION_CENTER_RECEIVED": "shipped",
                         "WAIT_GOODS_RECEIVE_CONFIRM": "shipped",
                        "RECEIPTS_CONFIRM": "completed", "FINISHED_L": "completed", "TRADE_CANCELED": "cancelled"},
            "rules": [{"when": {"orderState": "TRADE_CANCELED", "waybill": "present"}, "state": "cancelled",
                       "shipped": true},
                      {"when": {"payType": ["1", "1-货到付款"], "orderState": ["WAIT_SELLER_STOCK_OUT",
             "WAIT_SELLER_DELIVERY"]}, "state": "pending_payment"},
                      {"when": {"payType": ["1", "1-货到付款"], "orderState": ["POP_ORDER_PAUSE", "PAUSE", "LOCKED"]},
                       "state": "on_hold", "unpaid": true},
                      {"when": {"payType": ["1", "1-货到付款"], "orderState": ["SEND_TO_DISTRIBUTION_CENER",
                       "DISTRIBUTION_CENTER_RECEIVED", "WAIT_GOODS_RECEIVE_CONFIRM"]}, "state": "shipped",
                       "unpaid": true}]},
           "checks": {"grand_total": "orderPayment"}}
         ]}
        """#

    /// Pinduoduo (拼多多) `pdd.order.information.get` order_info; amounts in yuan; Beijing time.
    /// `order_status` is the shipping state (1 to ship, 2 shipped, 3 signed for); `confirm_status` 2
    /// (cancelled) and `refund_status` 4 (refund succeeded) cancel — shipped or signed for, after its goods left
    /// (`"shipped": true`); an after-sale in progress before it ships (`refund_status` 2, 3) holds it, and so does
    /// Pinduoduo's own risk review (`risk_control_status` 1 审核中: it must not ship until Pinduoduo passes it, and
    /// an order it fails is cancelled).
    static let pinduoduo = #"""
        {"profile": "pinduoduo",
         "description": "Pinduoduo (拼多多) order: pdd.order.information.get (order_info_get_response.order_info) or a \#
        list (order_list), and after-sale refunds (pdd.refund.list.increment.get, pdd.refund.information.get); \#
        amounts in yuan (the after-sale detail's in fen); Beijing time",
         "time_offset_minutes": 480, "time_format": "%Y-%m-%d %H:%M:%S",
         "events": [
          {"type": "refund", "root": ["refund_increment_get_response.refund_list", "refund_list"],
           "when": {"order_sn": true, "id": true, "after_sales_status": 10},
           "fields": {"external_id": "order_sn", "refund_ref": {"template": "pdd-aftersale-{id}"},
            "amount": "refund_amount", "reason": "after_sale_reason",
            "units.sku": {"first": ["outer_id", {"template": "pdd-{sku_id}"}, "outer_goods_id"]},
            "units.qty": "goods_number"}},
          {"type": "refund", "root": ["refund_information_get_response", ""],
           "when": {"order_sn": true, "id": true, "after_sales_status": 10, "item_list": false},
           "fields": {"external_id": "order_sn", "refund_ref": {"template": "pdd-aftersale-{id}"},
            "amount": {"minor": "refund_amount"}, "reason": "after_sales_reason"}},
          {"type": "skip", "root": ["refund_increment_get_response.refund_list", "refund_list",
           "refund_information_get_response", ""],
           "when": {"order_sn": true, "id": true, "after_sales_status": true, "item_list": false},
           "fields": {"external_id": "order_sn"},
           "reason": "a Pinduoduo after-sale with no money back (yet): only a refund that succeeded \#
        (after_sales_status 10) gives money back"},
          {"type": "order", "root": ["order_info_get_response.order_info", "order_info",
           "order_list_get_response.order_list", "order_list", ""],
           "when": {"order_sn": true, "item_list": true},
           "fields": {
            "external_id": "order_sn", "placed_at": {"first": ["created_time", "confirm_time"]},
            "updated_at": "updated_at",
             "currency": {"const": "CNY"},
            "customer.name": "receiver_name", "customer.phone": "receiver_phone",
            "ship_to.name": "receiver_name", "ship_to.phone": "receiver_phone", "ship_to.country": {"const": "CN"},
            "ship_to.region": "province", "ship_to.city": "city", "ship_to.district": "town",
            "ship_to.line1": {"first": ["receiver_address", "address"]},
            "shipping_fee": "postage", "taxes_included": {"const": true}, "note": "buyer_memo",
            "shipment.shipped_at": "shipping_time"},
           "parcels": [{"path": "", "fields": {"carrier": {"template": "pdd-logistics-{logistics_id}"},
             "tracking_no": "tracking_number"}},
            {"path": "extra_delivery_list", "fields": {"carrier": {"template": "pdd-logistics-{logistics_id}"},
             "tracking_no": "tracking_number"}},
            {"path": "gift_delivery_list", "fields": {"carrier": {"template": "pdd-logistics-{logistics_id}"},
             "tracking_no": "tracking_number"}}],
           "lines": {"path": "item_list",
            "fields": {"sku": "outer_id", "sku_fallback": {"first": [{"template": "pdd-{sku_id}"}, "outer_goods_id"]},
             "name": "goods_name",
                       "qty": "goods_count", "unit_price": "goods_price"}},
           "discounts": [{"path": "", "fields": {"kind": {"const": "promotion"}, "code": {"const": "platform_discount"},
            "amount": "platform_discount"}},
                         {"path": "", "fields": {"kind": {"const": "coupon"}, "code": {"const": "seller_discount"},
                          "amount": "seller_discount"}},
                         {"path": "", "fields": {"kind": {"const": "promotion"},
                          "code": {"const": "capital_free_discount"}, "amount": "capital_free_discount"}}],
           "status": {"value": "order_status", "inbound": {"1": "paid", "2": "shipped", "3": "delivered"},
            "rules": [{"when": {"confirm_status": 2}, "state": "cancelled"},
             {"when": {"refund_status": 4, "order_status": [2, 3]}, "state": "cancelled", "shipped": true},
             {"when": {"refund_status": 4}, "state": "cancelled"}, {"when": {"group_status": 2}, "state": "cancelled"},
             {"when": {"order_status": 1, "refund_status": [2, 3]}, "state": "on_hold"},
             {"when": {"order_status": 1, "group_status": 0}, "state": "on_hold"},
             {"when": {"order_status": 1, "confirm_status": 0}, "state": "on_hold"},
             {"when": {"order_status": 1, "risk_control_status": 1}, "state": "on_hold"}]},
           "checks": {"grand_total": "pay_amount"}}
         ]}
        """#

    /// Douyin (抖店) `order.orderDetail` shop_order_detail (or `order.searchList` shop_order_list):
    /// amounts in fen, times in Unix seconds. `order_status` 1 unpaid, 105 paid, 2 preparing, 101 partly
    /// shipped, 3 shipped, 4 cancelled, 5 completed. `pay_type` 0 is cash on delivery (货到付款): paid when
    /// completed. A sku order refunded before it shipped (`after_sale_info`: `after_sale_type` 2 未发货仅退款,
    /// `refund_status` 3 退款成功) is a refund of its `pay_amount` and its units, which then do not ship; while
    /// such a refund is asked for (`after_sale_status` 6 售后申请) the order is held.
    /// `afterSale.Detail` brings the money refunded after shipping (returns, refunds only, price protection), with
    /// the units of a return or a refund only (`sku_order_infos[].after_sale_item_count`), not of a price protection.
    /// Closed with a ship time (`logistics_info[].ship_time`) it was closed after it shipped: its shipment is
    /// recorded first (`"shipped": true`). A deposit pre-sale (定金预售) pays in phases (`order_phase_list`):
    /// with its deposit paid and its balance not (`order_status` 1 with a phase `pay_success`, or 103 部分支付)
    /// it is `deposit_paid`, its deposit what the paid phases took (`phase_pay_amount`); closed with its balance
    /// unpaid, the deposit is Douyin's to keep (定金不退), and a refund of it comes as an after-sale.
    static let douyin = #"""
        {"profile": "douyin",
         "description": "Douyin (抖店) order: order.orderDetail (data.shop_order_detail) or order.searchList \#
        (data.shop_order_list), and afterSale.Detail and afterSale.List refunds; amounts in fen; Unix times",
         "events": [
          {"type": "refund", "root": ["data", ""],
           "when": {"order_info.shop_order_id": true, "process_info.after_sale_info.refund_status": 3,
            "process_info.after_sale_info.after_sale_type": [0, 1]},
           "fields": {"external_id": "order_info.shop_order_id",
            "refund_ref": {"template": "douyin-aftersale-{process_info.after_sale_info.after_sale_id}"},
            "amount": {"minor": {"first": ["process_info.after_sale_info.real_refund_amount",
             "process_info.after_sale_info.refund_total_amount", "process_info.after_sale_info.refund_amount"]}},
            "reason": "process_info.after_sale_info.reason", "units.path": "order_info.sku_order_infos",
            "units.sku": {"first": ["shop_sku_code", {"template": "douyin-{sku_id}"}]},
            "units.qty": "after_sale_item_count", "units.line_ref": "sku_order_id"}},
          {"type": "refund", "root": ["data", ""],
           "when": {"order_info.shop_order_id": true, "process_info.after_sale_info.refund_status": 3,
            "process_info.after_sale_info.after_sale_type": 6},
           "fields": {"external_id": "order_info.shop_order_id",
            "refund_ref": {"template": "douyin-aftersale-{process_info.after_sale_info.after_sale_id}"},
            "amount": {"minor": {"first": ["process_info.after_sale_info.real_refund_amount",
             "process_info.after_sale_info.refund_total_amount", "process_info.after_sale_info.refund_amount"]}},
            "reason": "process_info.after_sale_info.reason"}},
          {"type": "skip", "root": ["data", ""], "when": {"order_info.shop_order_id": true, "process_info": true},
           "fields": {"external_id": "order_info.shop_order_id"},
           "reason": "a Douyin after-sale with no money back (yet), or refunded before shipping: the order's own \#
        detail carries that refund, with its units"},
          {"type": "refund", "root": ["data.items", "items"],
           "when": {"order_info.shop_order_id": true, "aftersale_info.refund_status": 3,
            "aftersale_info.aftersale_type": [0, 1]},
           "fields": {"external_id": "order_info.shop_order_id",
            "refund_ref": {"template": "douyin-aftersale-{aftersale_info.aftersale_id}"},
            "amount": {"add": [{"minor": "aftersale_info.refund_amount"},
             {"minor": "aftersale_info.refund_post_amount"}]},
            "reason": "text_part.reason_text", "units.path": "order_info.related_order_info",
            "units.sku": "shop_sku_code", "units.qty": "aftersale_item_num", "units.line_ref": "sku_order_id"}},
          {"type": "refund", "root": ["data.items", "items"],
           "when": {"order_info.shop_order_id": true, "aftersale_info.refund_status": 3,
            "aftersale_info.aftersale_type": 6},
           "fields": {"external_id": "order_info.shop_order_id",
            "refund_ref": {"template": "douyin-aftersale-{aftersale_info.aftersale_id}"},
            "amount": {"add": [{"minor": "aftersale_info.refund_amount"},
             {"minor": "aftersale_info.refund_post_amount"}]},
            "reason": "text_part.reason_text"}},
          {"type": "skip", "root": ["data.items", "items"],
           "when": {"order_info.shop_order_id": true, "aftersale_info": true},
           "fields": {"external_id": "order_info.shop_order_id"},
           "reason": "a Douyin after-sale with no money back (yet), or refunded before shipping: the order's own \#
        detail carries that refund, with its units"},
          {"type": "order", "root": ["data.shop_order_detail", "shop_order_detail", "data.shop_order_list",
           "shop_order_list", ""],
           "when": {"order_id": true, "sku_order_list": true},
           "fields": {
            "external_id": "order_id", "placed_at": {"epoch": "create_time"}, "updated_at": {"epoch": "update_time"},
            "currency": {"const": "CNY"},
            "customer.id": {"first": ["doudian_open_id", "open_id"]}, "customer.name": "post_receiver",
             "customer.phone": "post_tel",
            "ship_to.name": "post_receiver", "ship_to.phone": "post_tel", "ship_to.country": {"const": "CN"},
            "ship_to.region": "post_addr.province.name", "ship_to.city": "post_addr.city.name",
             "ship_to.district": "post_addr.town.name",
            "ship_to.line1": "post_addr.detail",
            "shipping_fee": {"minor": "post_amount"}, "taxes_included": {"const": true}, "note": "buyer_words",
            "cash_on_delivery": {"map": "pay_type", "values": {"0": true}, "default": false},
            "deposit": {"sum": {"minor": "order_phase_list[pay_success=true].phase_pay_amount"}},
            "shipment.shipped_at": {"epoch": "logistics_info[0].ship_time"}},
           "parcels": {"path": "logistics_info",
            "fields": {"carrier": "company_name", "tracking_no": "tracking_no", "shipped_at": {"epoch": "ship_time"}}},
           "lines": {"path": "sku_order_list", "shipped_when": {"order_status": [3, 5]},
            "fields": {"sku": {"first": ["out_sku_id", "code"]}, "sku_fallback": {"template": "douyin-{sku_id}"},
             "name": "product_name", "line_ref": "order_id",
                       "qty": "item_num", "unit_price": {"minor": "goods_price"},
                        "line_discount": {"minor": "promotion_amount"}}},
           "refunds": {"path": "sku_order_list",
            "when": {"after_sale_info.after_sale_type": 2, "after_sale_info.refund_status": 3},
            "fields": {"refund_ref": {"template": "douyin-refund-{order_id}"}, "amount": {"minor": "pay_amount"},
             "cancel_units": {"const": true},
             "units.sku": {"first": ["out_sku_id", "code", {"template": "douyin-{sku_id}"}]}, "units.qty": "item_num",
             "units.line_ref": "order_id"}},
           "status": {"value": "order_status",
            "inbound": {"1": "pending_payment", "103": "deposit_paid", "105": "paid", "2": "paid",
             "101": "partially_shipped",
                        "3": "shipped", "4": "cancelled", "5": "completed", "21": "cancelled"},
            "deposit_forfeited": ["4"],
            "rules": [{"when": {"order_status": [4, 21], "logistics_info[].ship_time": {"above": 0}},
                       "state": "cancelled", "shipped": true},
                      {"when": {"order_status": 1, "order_phase_list[pay_success=true]": "present"},
                       "state": "deposit_paid"},
                      {"when": {"pay_type": 0, "order_status": [1, 2, 105],
                       "sku_order_list[].after_sale_info.after_sale_type": 2,
                       "sku_order_list[].after_sale_info.after_sale_status": 6}, "state": "on_hold", "unpaid": true},
                      {"when": {"pay_type": 0, "order_status": [1, 2, 105]}, "state": "pending_payment"},
                      {"when": {"pay_type": 0, "order_status": 101}, "state": "partially_shipped", "unpaid": true},
                      {"when": {"pay_type": 0, "order_status": 3}, "state": "shipped", "unpaid": true},
                      {"when": {"order_status": [2, 105], "sku_order_list[].after_sale_info.after_sale_type": 2,
                       "sku_order_list[].after_sale_info.after_sale_status": 6}, "state": "on_hold"}]},
           "checks": {"grand_total": {"minor": "pay_amount"}}}
         ]}
        """#

    /// Shopify Admin GraphQL `order` (or `orders.edges[].node`): ids are `gid://shopify/Order/N` (the
    /// number is the REST id, so both APIs name one order); money in `...Set.shopMoney` (the shop's
    /// currency, not the buyer's presentment currency). Shipping is the shipping lines' `originalPriceSet`, their
    /// `discountAllocations` a `shipping` discount (`discountedPriceSet` took the discount off only from 2024-07).
    /// Each fulfillment's `displayStatus` (REST: `shipment_status`) says where its parcels are: the order is delivered
    /// when every one of them is (`PICKED_UP`: the buyer collected it in store); one voided or cancelled names no
    /// parcel. Its
    /// `disputes` (id, `initiatedAs`, `status`: no amount) are the same disputes as REST's, named alike.
    static let shopifyGraphQL = #"""
        {"profile": "shopify_graphql",
         "description": "Shopify Admin GraphQL order ({\"data\":{\"order\":...}} or data.orders.edges[].node); shop \#
        money; gid ids become REST ids",
         "events": [
          {"type": "order", "root": ["data.order", "order", "data.orders.edges[].node", "orders.edges[].node", ""],
           "when": {"id": true, "lineItems": true},
           "fields": {
            "external_id": {"strip_prefix": "id", "prefix": "gid://shopify/Order/"},
             "placed_at": {"first": ["createdAt", "processedAt"]}, "updated_at": "updatedAt",
            "currency": {"first": ["totalPriceSet.shopMoney.currencyCode", "currencyCode"]},
            "customer.id": {"strip_prefix": "customer.id", "prefix": "gid://shopify/Customer/"},
            "customer.email": {"first": ["email", "customer.email"]}, "customer.phone": {"first": ["phone",
             "customer.phone", "shippingAddress.phone"]},
            "customer.name": {"first": [{"join": ["customer.firstName", "customer.lastName"]}, "shippingAddress.name"]},
            "customer.ip": "clientIp", "customer.account_created_at": "customer.createdAt",
            "ship_to.name": "shippingAddress.name", "ship_to.phone": "shippingAddress.phone",
            "ship_to.country": {"first": ["shippingAddress.countryCodeV2", "shippingAddress.countryCode"]},
            "ship_to.region": {"first": ["shippingAddress.province", "shippingAddress.provinceCode"]},
             "ship_to.city": "shippingAddress.city",
            "ship_to.line1": "shippingAddress.address1", "ship_to.line2": "shippingAddress.address2",
             "ship_to.postal_code": "shippingAddress.zip",
            "shipping_fee": {"first": [{"sum": "shippingLines.edges[].node.originalPriceSet.shopMoney.amount"},
             "totalShippingPriceSet.shopMoney.amount"]},
             "shipping_tax": {"sum": "shippingLines.edges[].node.taxLines[].priceSet.shopMoney.amount"},
            "taxes_included": "taxesIncluded", "test": "test", "note": "note", "tags": "tags[]",
            "cash_on_delivery": {"map": "paymentGatewayNames[]", "values": {"Cash on Delivery (COD)": true},
             "default": false},
            "payment_terms.name": {"first": ["paymentTerms.paymentTermsName", "paymentTerms.paymentTermsType"]},
             "payment_terms.due_at": {"first": ["paymentTerms.paymentSchedules.nodes[0].dueAt",
              "paymentTerms.paymentSchedules.edges[0].node.dueAt"]},
            "prepaid": {"subtract": ["totalPriceSet.shopMoney.amount",
             {"first": ["totalOutstandingSet.shopMoney.amount", "totalPriceSet.shopMoney.amount"]}]},
            "deposit": {"add": [{"subtract": [{"first": ["currentTotalPriceSet.shopMoney.amount",
             "totalPriceSet.shopMoney.amount"]}, "totalOutstandingSet.shopMoney.amount"]},
             {"sum": "refunds[].totalRefundedSet.shopMoney.amount"}]},
            "shipment.shipped_at": "fulfillments[0].createdAt"},
           "parcels": {"path": "fulfillments",
            "fields": {"carrier": "trackingInfo[0].company", "tracking_no": "trackingInfo[].number",
             "shipped_at": "createdAt", "parcel_ref": "id",
             "cancelled": {"first": [
              {"map": "status", "values": {"CANCELLED": true, "ERROR": true, "FAILURE": true}, "default": null},
              {"map": "displayStatus", "values": {"CANCELED": true, "LABEL_VOIDED": true}, "default": false}]},
             "status": {"map": "displayStatus", "default": null, "values": {"LABEL_PRINTED": "info_received",
              "LABEL_PURCHASED": "info_received", "CONFIRMED": "info_received", "CARRIER_PICKED_UP": "picked_up",
              "IN_TRANSIT": "in_transit", "DELAYED": "in_transit", "OUT_FOR_DELIVERY": "out_for_delivery",
              "READY_FOR_PICKUP": "out_for_delivery", "ATTEMPTED_DELIVERY": "failed_attempt", "DELIVERED": "delivered",
              "PICKED_UP": "delivered", "FAILURE": "exception", "NOT_DELIVERED": "exception"}}}},
           "lines": {"path": "lineItems.edges[].node", "shipped_when": {"unfulfilledQuantity": 0},
            "not_stock": [{"when": {"isGiftCard": [true], "requiresShipping": [false]},
              "reason": "a gift card sent by email: a fee, not stock", "fee": {"name": "name",
              "amount": {"subtract": [{"multiply": ["originalUnitPriceSet.shopMoney.amount", "quantity"]},
               {"sum": "discountAllocations[].allocatedAmountSet.shopMoney.amount"}]},
              "tax": {"sum": "taxLines[].priceSet.shopMoney.amount"}, "returns_refund": {"const": false}}},
             {"when": {"variant": false, "sku": false, "requiresShipping": [false]},
              "reason": "a custom item (no product, no SKU: a tip, a service): a fee, not stock",
              "fee": {"name": "name",
              "amount": {"subtract": [{"multiply": ["originalUnitPriceSet.shopMoney.amount", "quantity"]},
               {"sum": "discountAllocations[].allocatedAmountSet.shopMoney.amount"}]},
              "tax": {"sum": "taxLines[].priceSet.shopMoney.amount"}, "returns_refund": {"const": false}}}],
            "fields": {"sku": "sku", "sku_fallback": {"template": "shopify-variant-{variant.legacyResourceId}"},
             "name": {"first": ["name", "title"]}, "line_ref": "id",
                       "qty": "quantity", "unit_price": "originalUnitPriceSet.shopMoney.amount",
                       "shipped_qty": {"subtract": ["currentQuantity", "unfulfilledQuantity"]},
                       "current_qty": "currentQuantity",
                       "line_discount": {"first": [{"sum": "discountAllocations[].allocatedAmountSet.shopMoney.amount"},
                        "totalDiscountSet.shopMoney.amount"]},
                       "tax": {"sum": "taxLines[].priceSet.shopMoney.amount"}}},
           "discounts": [{"path": "shippingLines.edges[].node",
            "fields": {"kind": {"const": "shipping"},
             "amount": {"sum": "discountAllocations[].allocatedAmountSet.shopMoney.amount"}}}],
           "fees": {"path": "lineItems.edges[].node.duties", "fields": {"name": {"const": "Duties"},
            "amount": "price.shopMoney.amount", "tax": {"sum": "taxLines[].priceSet.shopMoney.amount"}}},
           "refunds": {"path": "refunds",
            "fields": {"refund_ref": {"template": "shopify-refund-{legacyResourceId}"},
             "amount": "totalRefundedSet.shopMoney.amount", "reason": "note", "cancel_units": {"const": true},
                       "at": "createdAt", "before_shipment":
                        \#(restockedUnshipped("refundLineItems.edges[].node", "restockType", capitals: true)),
                       "units.path": "refundLineItems.edges[].node",
                       "units.sku": {"first": ["lineItem.sku",
                        {"template": "shopify-variant-{lineItem.variant.legacyResourceId}"}]},
                       "units.qty": "quantity", "units.line_ref": "lineItem.id"}},
           "disputes": {"path": "disputes", "fields": {"dispute_ref": {"join": [{"const": "shopify-dispute"},
             {"strip_prefix": "id", "prefix": "gid://shopify/ShopifyPaymentsDispute/"}], "sep": "-"},
             "kind": {"map": "initiatedAs", "values": {"CHARGEBACK": "chargeback", "INQUIRY": "inquiry"}},
             "status": \#(shopifyDisputeStatus("status", capitals: true))}},
           "risks": {"path": "risk.assessments", "fields": {"source": {"join": [{"const": "shopify-risk-provider"},
             {"first": [{"strip_prefix": "provider.id", "prefix": "gid://shopify/App/"}, {"const": "shopify"}]}],
             "sep": "-"},
             "level": {"map": "riskLevel", "values": {"HIGH": "high", "MEDIUM": "medium", "LOW": "low", "NONE": "none"},
              "default": null},
             "message": {"template": "{provider.title}'s risk assessment"}}},
           "status": {"value": "displayFinancialStatus",
            "inbound": {"PENDING": "pending_payment", "PARTIALLY_PAID": "deposit_paid", "AUTHORIZED": "paid",
             "PAID": "paid",
                        "PARTIALLY_REFUNDED": "paid", "REFUNDED": "cancelled", "VOIDED": "cancelled",
                         "EXPIRED": "on_hold"},
            "rules": [{"when": {"cancelledAt": "present"}, "state": "cancelled"},
             {"when": {"displayFulfillmentStatus": "FULFILLED"}, "state": "shipped"},
                      {"when": {"displayFulfillmentStatus": ["PARTIALLY_FULFILLED", "IN_PROGRESS"]},
                       "state": "partially_shipped"},
             {"when": {"displayFulfillmentStatus": ["ON_HOLD", "SCHEDULED"],
               "displayFinancialStatus": ["PAID", "AUTHORIZED", "PARTIALLY_REFUNDED"]}, "state": "on_hold"}],
            "paid_in_part": [{"displayFinancialStatus": "PARTIALLY_REFUNDED",
             "totalOutstandingSet.shopMoney.amount": {"above": 0}},
             {"displayFinancialStatus": "REFUNDED", "refunds[].totalRefundedSet.shopMoney.amount": "present",
              "totalOutstandingSet.shopMoney.amount": "present"}],
            "cancelled_unrefunded": ["PAID", "PARTIALLY_REFUNDED", "PARTIALLY_PAID"],
            "cancelled_paid": ["PAID", "PARTIALLY_REFUNDED", "PARTIALLY_PAID", "REFUNDED"],
            "unpaid": ["PENDING", "PARTIALLY_PAID", "EXPIRED"], "payment_voided": ["VOIDED", "EXPIRED"],
            "payment_authorized": ["AUTHORIZED"]},
           "checks": {"grand_total": "totalPriceSet.shopMoney.amount", "tax_total": "totalTaxSet.shopMoney.amount"}}
         ]}
        """#

    static let csv = #"""
        {"profile": "csv", "format": "csv", "group_by": "order_id",
         "description": "Generic CSV, one row per order line: order_id, placed_at, currency, status, sku, name, qty, \#
        unit_price, line_discount, tax, shipping_fee, note, customer_id, customer_phone, customer_email, \#
        customer_name, ship_name, ship_phone, ship_country, ship_region, ship_city, ship_district, ship_line1, \#
        ship_line2, ship_postal_code (order fields are read from the order's first row)",
         "events": [
          {"type": "order", "when": {"order_id": true},
           "fields": {
            "external_id": "order_id", "placed_at": "placed_at", "currency": "currency", "shipping_fee": "shipping_fee",
             "note": "note",
            "customer.id": "customer_id", "customer.phone": "customer_phone", "customer.email": "customer_email",
             "customer.name": "customer_name",
            "ship_to.name": "ship_name", "ship_to.phone": "ship_phone", "ship_to.country": "ship_country",
             "ship_to.region": "ship_region",
            "ship_to.city": "ship_city", "ship_to.district": "ship_district", "ship_to.line1": "ship_line1",
             "ship_to.line2": "ship_line2",
            "ship_to.postal_code": "ship_postal_code"},
           "lines": {"path": "rows",
            "fields": {"sku": "sku", "name": "name", "qty": "qty", "unit_price": "unit_price",
             "line_discount": "line_discount", "tax": "tax"}},
           "status": {"value": "status", "inbound": {"pending": "pending_payment", "unpaid": "pending_payment",
            "paid": "paid", "cancelled": "cancelled"}}}
         ]}
        """#
}
