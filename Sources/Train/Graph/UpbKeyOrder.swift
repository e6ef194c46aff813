/// Map-entry order of TensorFlow's Python (upb) deterministic serializer (spec §8.1): bytewise
/// ascending, except that when one key is a proper prefix of the other the longer one comes first.
enum UpbKeyOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        for i in 0..<min(x.count, y.count) where x[i] != y[i] { return x[i] < y[i] }
        return x.count > y.count
    }
}
