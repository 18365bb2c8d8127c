@testable import OrderCore
import Testing

struct ReconciliationTests {
    @Test func everyKindOfDifferenceIsFoundWithTotals() throws {
        let engine = try Engine(test: temporaryDirectory() + "/reconcile.db")
        try engine.seedCatalog(a1: ["SH": 50])
        var ids: [JSON] = []
        for (price, ref) in [("93.00", "PAY-A"), ("20.00", "PAY-B"), ("30.00", "PAY-C")] {
            let id = try engine.ok("order.create", orderArgs([("A1", 1, price)], ["at": "2026-05-01T08:55:00Z"]))["order_id"] ?? .null
            try engine.ok("order.pay", ["order_id": id, "payment_ref": .string(ref), "at": "2026-05-01T09:00:00Z"])
            ids.append(id)
        }
        try engine.ok("order.refund", ["order_id": ids[2], "amount": "10.00", "refund_ref": "RF-C", "at": "2026-05-02T09:00:00Z"])
        let gateway = """
            ref,order,gross,kind,created\r
            PAY-A,SO-000001,93.00,charge,2026-05-01T09:00:01Z\r
            PAY-B,SO-000002,25.00,charge,2026-05-01T09:00:02Z\r
            RF-C,SO-000003,-10.00,refund,2026-05-02T09:00:03Z\r
            PAY-X,,12.00,charge,2026-05-02T10:00:00Z\r
            """
        let r = try engine.ok("reconcile.payments", ["csv": .string(gateway),
                                                     "columns": ["reference": "ref", "order": "order", "amount": "gross", "type": "kind", "time": "created"]])
        #expect(r["rows"] == 4)
        #expect(r["matched"] == ["count": 2, "amounts": ["CNY": "103.00"]])
        #expect(r["mismatches"] == ["count": 1, "amounts": ["CNY": "5.00"]])
        #expect(r["details"]?["mismatches"]?.arrayValue?.first?["ordercore"]?["amount"] == "20.00")
        #expect(r["missing_in_ordercore"] == ["count": 1, "amounts": ["CNY": "12.00"]])
        #expect(r["missing_at_gateway"] == ["count": 1, "amounts": ["CNY": "30.00"]])
        #expect(r["details"]?["missing_at_gateway"]?.arrayValue?.first?["reference"] == "PAY-C")
        #expect(engine.fails("reconcile.payments", ["csv": "ref,gross\nPAY-A,1.00"]) == .invalidInput)  // columns not mapped
        #expect(engine.fails("reconcile.payments", ["csv": "reference,amount\nPAY-A,abc"]) == .invalidInput)
        #expect(engine.fails("reconcile.payments", ["csv": "reference,amount\nPAY-A,1.00\nPAY-A,1.00"]) == .invalidInput)
    }
}
