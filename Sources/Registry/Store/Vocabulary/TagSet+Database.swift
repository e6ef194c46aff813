import GRDB
import RegistryFormat

/// A tag set is stored as its canonical text (`serve`, `serve,gpu`), which is what the
/// `tag_set` columns index and compare.
extension TagSet: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> TagSet? {
        String.fromDatabaseValue(dbValue).map(TagSet.init(parsing:))
    }
}
