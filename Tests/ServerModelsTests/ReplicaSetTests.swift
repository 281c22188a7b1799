import Testing
@testable import ServerModels

@Suite struct ReplicaSetTests {
    @Test func endpointDropsTrailingSlash() {
        #expect(ServerEndpoint(url: "http://127.0.0.1:8080/").url == "http://127.0.0.1:8080")
    }
}
