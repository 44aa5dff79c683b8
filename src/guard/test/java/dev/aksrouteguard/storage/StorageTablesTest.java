package dev.aksrouteguard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.data.tables.models.TableServiceError;
import com.azure.data.tables.models.TableServiceException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class StorageTablesTest {

    private static final String SAS_URL = "https://acct.table.core.windows.net/routeguardalerts?sv=2024&sig=c2VjcmV0";

    @Test
    void aTimeIsReadTypedOrAsTextAndAnythingElseIsNoTime() {
        Instant at = Instant.parse("2026-12-04T10:15:30.123Z");
        assertEquals(at, StorageTables.instant(at.atOffset(ZoneOffset.UTC)));
        assertEquals(at, StorageTables.instant(OffsetDateTime.parse("2026-12-04T11:15:30.123+01:00")));
        assertEquals(at, StorageTables.instant("2026-12-04T10:15:30.123Z"));
        assertNull(StorageTables.instant("yesterday"));
        assertNull(StorageTables.instant(""));
        assertNull(StorageTables.instant(1_733_307_330_123L));
        assertNull(StorageTables.instant(null));
    }

    @Test
    void aServiceErrorIsItsStatusAndCodeNeverItsMessage() {
        TableServiceException e = new TableServiceException("The table at " + SAS_URL + " is being deleted",
                response(409), new TableServiceError("TableBeingDeleted", "see " + SAS_URL));
        assertEquals("HTTP 409 TableBeingDeleted", StorageTables.statusOf(e));
        assertEquals("HTTP 503", StorageTables.statusOf(new TableServiceException("down at " + SAS_URL, response(503))));
    }

    @Test
    void anythingButAServiceErrorHasNoStatus() {
        assertNull(StorageTables.statusOf(new IllegalStateException(SAS_URL)));
        assertNull(StorageTables.statusOf(new RuntimeException(new java.io.IOException("reset"))));
    }

    private static HttpResponse response(int status) {
        HttpRequest request = new HttpRequest(HttpMethod.POST, "https://acct.table.core.windows.net/Tables");
        return new HttpResponse(request) {
            @Override
            public int getStatusCode() {
                return status;
            }

            @Override
            @Deprecated
            public String getHeaderValue(String name) {
                return null;
            }

            @Override
            public HttpHeaders getHeaders() {
                return new HttpHeaders();
            }

            @Override
            public Flux<ByteBuffer> getBody() {
                return Flux.empty();
            }

            @Override
            public Mono<byte[]> getBodyAsByteArray() {
                return Mono.empty();
            }

            @Override
            public Mono<String> getBodyAsString() {
                return Mono.empty();
            }

            @Override
            public Mono<String> getBodyAsString(Charset charset) {
                return Mono.empty();
            }
        };
    }
}
