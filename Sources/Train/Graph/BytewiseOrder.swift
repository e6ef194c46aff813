/// Plain bytewise order (bundle keys, Saver tensor_names, TF's sorted control inputs).
enum BytewiseOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
