import RegistryFormat
import RegistryInterchange
import RegistryRemote
import RegistryStore

// The types of the layers below that the CLI, Train and scripts use, named here so that
// `import Registry` is the one door: nothing else of those layers is reachable from outside.

// Names and references.
public typealias VersionReference = RegistryStore.VersionReference
public typealias VersionKind = RegistryStore.VersionKind
public typealias GraphEncoding = RegistryStore.GraphEncoding
public typealias TagSet = RegistryFormat.TagSet
public typealias DType = RegistryFormat.DType
public typealias OCIReference = RegistryRemote.OCIReference
public typealias OCICredentials = RegistryRemote.OCICredentials

// Results.
public typealias VersionSummary = RegistryStore.VersionSummary
public typealias VersionFilter = RegistryStore.VersionFilter
public typealias StoreStatistics = RegistryStore.StoreStatistics
public typealias RetentionPolicy = RegistryStore.RetentionPolicy
public typealias MetricPoint = RegistryStore.MetricPoint
public typealias TrainingCurve = RegistryStore.TrainingCurve
public typealias ModelSummary = RegistryStore.ModelSummary
public typealias Page = RegistryStore.Page
public typealias SearchResult = RegistryStore.SearchResult
public typealias MetricSeries = RegistryStore.MetricSeries
public typealias RemotePushResult = RegistryRemote.RemotePushResult
public typealias RemotePullResult = RegistryRemote.RemotePullResult
public typealias RemoteTag = RegistryRemote.RemoteTag

// Errors: every one is a `CodedError` with a stable `code` and a `category`.
public typealias CodedError = RegistryFormat.CodedError
public typealias ErrorCategory = RegistryFormat.ErrorCategory
public typealias FormatError = RegistryFormat.FormatError
public typealias StoreError = RegistryStore.StoreError
public typealias ReferenceError = RegistryStore.ReferenceError
public typealias InterchangeError = RegistryInterchange.InterchangeError
public typealias RemoteError = RegistryRemote.RemoteError

// Printing text that came from files, databases or servers.
public typealias SafeText = RegistryFormat.SafeText

// Folders on disk, for `inspect`.
public typealias SavedModelDirectory = RegistryFormat.SavedModelDirectory
public typealias CheckpointFolder = RegistryFormat.CheckpointFolder
public typealias BundleEntry = RegistryFormat.BundleEntry

// The TensorFlow messages Train builds its MetaGraphDefs from.
public typealias Tensorflow_MetaGraphDef = RegistryFormat.Tensorflow_MetaGraphDef
public typealias Tensorflow_AttrValue = RegistryFormat.Tensorflow_AttrValue
public typealias Tensorflow_TensorProto = RegistryFormat.Tensorflow_TensorProto
public typealias Tensorflow_DataType = RegistryFormat.Tensorflow_DataType
public typealias Tensorflow_CollectionDef = RegistryFormat.Tensorflow_CollectionDef
public typealias Tensorflow_TensorShapeProto = RegistryFormat.Tensorflow_TensorShapeProto
public typealias Tensorflow_SignatureDef = RegistryFormat.Tensorflow_SignatureDef
public typealias Tensorflow_SaverDef = RegistryFormat.Tensorflow_SaverDef
public typealias Tensorflow_NodeDef = RegistryFormat.Tensorflow_NodeDef
public typealias Tensorflow_TensorInfo = RegistryFormat.Tensorflow_TensorInfo
