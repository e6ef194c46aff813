import GRDB
import RegistryFormat

/// A dtype is stored as its `DataType` number.
extension DType: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { Int64(rawValue).databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> DType? {
        Int32.fromDatabaseValue(dbValue).map(DType.init(rawValue:))
    }
}
