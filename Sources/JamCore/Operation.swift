/// An ordered list of components applied atomically. On the wire: a JSON array of components.
public struct Operation: Hashable, Sendable, ExpressibleByArrayLiteral, Codable {
    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    public init(arrayLiteral elements: Component...) {
        self.components = elements
    }

    public init(from decoder: any Decoder) throws {
        components = try decoder.singleValueContainer().decode([Component].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(components)
    }

    /// True for the operation that changes nothing.
    public var isEmpty: Bool { components.isEmpty }
}
