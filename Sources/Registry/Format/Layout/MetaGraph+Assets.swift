import Foundation
import SwiftProtobuf

extension MetaGraph {
    /// The asset file names the graph declares: TF2's `asset_file_def` and TF1's
    /// `saved_model_assets` collection of `AssetFileDef`s. TensorFlow resolves them under
    /// `assets/`, so each must be a plain relative name.
    public var declaredAssets: [String] {
        var names = proto.assetFileDef.map(\.filename)
        for entry in proto.collectionDef where entry.key == "saved_model_assets" {
            if case .anyList(let list) = entry.value.kind {
                // A text-format graph's expanded AssetFileDefs arrive packed too (`TextFormatScrubber`).
                for any in list.value where any.typeURL.split(separator: "/").last == "tensorflow.AssetFileDef" {
                    if let asset = try? Tensorflow_AssetFileDef(serializedBytes: any.value) { names.append(asset.filename) }
                }
            }
        }
        return names
    }

    /// Refuses declared asset names that would escape `assets/` (`..`, absolute, NUL).
    package func validateAssets(file: String) throws(FormatError) {
        for name in declaredAssets {
            do {
                try RelativePath.validate(name, file: file)
            } catch {
                throw .unsafePath(file: file, detail: "meta graph {\(tagSet)} declares the asset '\(SafeText.name(name))', which would resolve outside assets/")
            }
        }
    }
}
