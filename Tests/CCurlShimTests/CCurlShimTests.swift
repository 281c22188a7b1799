import CCurlShim
import Testing

/// The typed wrappers reach libcurl and report its result codes.
@Suite("CCurlShim wrappers")
struct CCurlShimTests {
    @Test func setoptWrappersAcceptEachArgumentType() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(attrib_curl_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:9/") == CURLE_OK)
        #expect(attrib_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 200) == CURLE_OK)
        #expect(attrib_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0) == CURLE_OK)
        var list: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Accept: application/json")
        defer { curl_slist_free_all(list) }
        #expect(attrib_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list) == CURLE_OK)
        let callback: attrib_curl_write_cb = { _, size, count, _ in size * count }
        #expect(attrib_curl_setopt_write_cb(handle, CURLOPT_WRITEFUNCTION, callback) == CURLE_OK)
        #expect(attrib_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, nil) == CURLE_OK)
        list = curl_slist_append(list, "X-Test: 1")
        // Port 9 (discard) is closed on loopback: the connection is refused.
        let result = curl_easy_perform(handle)
        #expect(result == CURLE_COULDNT_CONNECT)
        var status = -1
        #expect(attrib_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        #expect(status == 0)
        var total = -1.0
        #expect(attrib_curl_getinfo_double(handle, CURLINFO_TOTAL_TIME, &total) == CURLE_OK)
        #expect(total >= 0)
        var url: UnsafeMutablePointer<CChar>?
        #expect(attrib_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK)
        #expect(url.map { String(cString: $0) } == "http://127.0.0.1:9/")
    }

    @Test func unknownOptionIsReported() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(attrib_curl_setopt_long(handle, CURLoption(rawValue: 99_999), 1) != CURLE_OK)
    }
}
