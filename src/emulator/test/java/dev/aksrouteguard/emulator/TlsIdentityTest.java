package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsIdentityTest {
    private static ArmEmulator arm;

    @BeforeAll
    static void start() {
        arm = ArmEmulator.start();
    }

    @AfterAll
    static void stop() {
        arm.close();
    }

    @Test
    void certificateParsesAsSelfSignedV3ForLoopback() throws Exception {
        X509Certificate certificate = arm.certificate();
        assertEquals(3, certificate.getVersion());
        assertEquals("SHA256withECDSA", certificate.getSigAlgName());
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
        assertTrue(certificate.getKeyUsage()[0], "digitalSignature");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), certificate.getExtendedKeyUsage());
        assertEquals(List.of(List.of(7, "127.0.0.1"), List.of(2, "localhost")),
                certificate.getSubjectAlternativeNames().stream().toList());
    }

    @Test
    void certificateIsValidFromAnHourAgoForADay() throws Exception {
        TlsIdentity identity = TlsIdentity.generate(Instant.parse("2026-11-26T12:00:00Z"));
        X509Certificate certificate = identity.certificate();
        assertEquals(Instant.parse("2026-11-26T11:00:00Z"), certificate.getNotBefore().toInstant());
        assertEquals(Instant.parse("2026-11-27T12:00:00Z"), certificate.getNotAfter().toInstant());
        certificate.checkValidity(Date.from(Instant.parse("2026-11-27T11:59:00Z")));
    }

    @Test
    void handshakeSucceedsWithTheEmulatorsClientContext() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(arm.endpoint().resolve("/subscriptions/s"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode(), "TLS works; ARM wants a token");
    }

    @Test
    void handshakeFailsWithTheDefaultTrustStore() {
        HttpClient client = HttpClient.newHttpClient();
        assertThrows(SSLHandshakeException.class, () -> client.send(HttpRequest.newBuilder(arm.endpoint())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void handshakeChecksTheNameTheCertificateIsFor() throws Exception {
        assertEquals("localhost", handshake("localhost"), "named in the certificate");
        SSLHandshakeException failure = assertThrows(SSLHandshakeException.class, () -> handshake("arm.example"));
        assertTrue(failure.getMessage().contains("arm.example"), failure.getMessage());
    }

    /** Connects to 127.0.0.1 but verifies the certificate against {@code hostName}. */
    private static String handshake(String hostName) throws Exception {
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), arm.endpoint().getPort());
                SSLSocket tls = (SSLSocket) arm.clientSslContext().getSocketFactory()
                        .createSocket(plain, hostName, arm.endpoint().getPort(), false)) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            return tls.getSession().getPeerHost();
        }
    }

    @Test
    void writesAPkcs12TrustStoreWithOnlyTheCertificate(@TempDir Path dir) throws Exception {
        Path file = arm.writeTrustStore(dir.resolve("arm-emulator.p12"), "changeit".toCharArray());
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            trustStore.load(in, "changeit".toCharArray());
        }
        assertEquals(1, trustStore.size());
        assertEquals(arm.certificate(), trustStore.getCertificate(TlsIdentity.ALIAS));
        assertTrue(trustStore.isCertificateEntry(TlsIdentity.ALIAS));
    }
}
