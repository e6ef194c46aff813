/// Builds one table block: prefix-compressed keys, a restart point every `restartInterval`
/// entries, then the restart array. Byte-for-byte what TensorFlow's copy of LevelDB emits.
struct BlockBuilder {
    let restartInterval: Int
    private(set) var buffer: [UInt8] = []
    private var restarts: [UInt32] = [0]
    private var counter = 0
    private var lastKey: [UInt8] = []
    private(set) var isEmpty = true

    init(restartInterval: Int) {
        self.restartInterval = restartInterval
    }

    /// LevelDB's estimate, which decides when a block is flushed: entries + restarts + count.
    var sizeEstimate: Int { buffer.count + 4 * restarts.count + 4 }

    mutating func add(key: [UInt8], value: [UInt8]) {
        var shared = 0
        if counter < restartInterval {
            let limit = min(lastKey.count, key.count)
            while shared < limit && lastKey[shared] == key[shared] { shared += 1 }
        } else {
            restarts.append(UInt32(buffer.count))
            counter = 0
        }
        ByteWriter.appendVarint(UInt64(shared), to: &buffer)
        ByteWriter.appendVarint(UInt64(key.count - shared), to: &buffer)
        ByteWriter.appendVarint(UInt64(value.count), to: &buffer)
        buffer.append(contentsOf: key[shared...])
        buffer.append(contentsOf: value)
        lastKey = key
        counter += 1
        isEmpty = false
    }

    /// The finished block contents (without trailer); the builder is reset.
    mutating func finish() -> [UInt8] {
        var out = buffer
        for restart in restarts { ByteWriter.appendUInt32LE(restart, to: &out) }
        ByteWriter.appendUInt32LE(UInt32(restarts.count), to: &out)
        self = BlockBuilder(restartInterval: restartInterval)
        return out
    }
}
