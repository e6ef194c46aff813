import Crypto
import Foundation

/// A digest in lowercase hex, as MANIFEST.json and tfcheck.py write them.
public func lowercaseHex(_ digest: some Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

/// The sha256 of `bytes` in lowercase hex.
public func sha256Hex(_ bytes: [UInt8]) -> String { lowercaseHex(SHA256.hash(data: bytes)) }
