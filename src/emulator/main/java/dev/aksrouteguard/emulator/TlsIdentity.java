package dev.aksrouteguard.emulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away TLS identity for the emulator: an EC P-256 key pair and a self-signed X.509 v3 certificate
 * for {@code 127.0.0.1} and {@code localhost}, built with {@link Der} so no extra dependency is needed.
 * Clients trust exactly this certificate; nothing here disables verification.
 */
final class TlsIdentity {
    static final String ALIAS = "aks-route-guard-arm-emulator";
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private final KeyPair keyPair;
    private final X509Certificate certificate;

    private TlsIdentity(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    /** A new key pair and a certificate valid from {@code now - 1h} to {@code now + 1d}. */
    static TlsIdentity generate(Instant now) {
        Objects.requireNonNull(now, "now == null");
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keyPair = generator.generateKeyPair();
            byte[] tbs = tbsCertificate(keyPair, now);
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keyPair.getPrivate());
            signer.update(tbs);
            byte[] der = Der.sequence(tbs, signatureAlgorithm(), Der.bitString(signer.sign()));
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            X509Certificate certificate =
                    (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
            return new TlsIdentity(keyPair, certificate);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the emulator's TLS identity", e);
        }
    }

    static byte[] tbsCertificate(KeyPair keyPair, Instant now) {
        byte[] name = Der.sequence(Der.set(Der.sequence(
                Der.objectIdentifier(COMMON_NAME), Der.utf8String("aks-route-guard ARM emulator"))));
        BigInteger serial = new BigInteger(1, randomBytes(16)).setBit(127);
        return Der.sequence(
                Der.explicit(0, Der.integer(BigInteger.TWO)), // version v3
                Der.integer(serial),
                signatureAlgorithm(),
                name, // issuer
                Der.sequence(Der.utcTime(now.minus(Duration.ofHours(1))), Der.utcTime(now.plus(Duration.ofDays(1)))),
                name, // subject: self-signed
                keyPair.getPublic().getEncoded(), // SubjectPublicKeyInfo, already DER
                Der.explicit(3, Der.sequence(
                        extension(BASIC_CONSTRAINTS, true, Der.sequence()), // cA FALSE (default, so omitted)
                        extension(KEY_USAGE, true, Der.bitString(new byte[] {(byte) 0x80}, 7)), // digitalSignature
                        extension(EXTENDED_KEY_USAGE, false, Der.sequence(Der.objectIdentifier(SERVER_AUTH))),
                        extension(SUBJECT_ALT_NAME, false, Der.sequence(
                                Der.implicitPrimitive(7, InetAddress.getLoopbackAddress().getAddress()), // iPAddress
                                Der.implicitPrimitive(2, "localhost".getBytes(StandardCharsets.US_ASCII)))))));
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.objectIdentifier(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.objectIdentifier(oid), Der.octetString(value));
    }

    private static byte[] signatureAlgorithm() {
        return Der.sequence(Der.objectIdentifier(ECDSA_WITH_SHA256));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** The server side: presents the certificate with its private key. */
    SSLContext serverContext() {
        try {
            char[] password = new char[0];
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(ALIAS, keyPair.getPrivate(), password, new Certificate[] {certificate});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the emulator's server TLS context", e);
        }
    }

    /** The client side: trusts this one certificate and nothing else (hostname verification stays on). */
    SSLContext clientContext() {
        try {
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the emulator's client TLS context", e);
        }
    }

    KeyStore trustStore() {
        try {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry(ALIAS, certificate);
            return trustStore;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the emulator's trust store", e);
        }
    }

    void writeTrustStore(Path file, char[] password) throws IOException {
        Objects.requireNonNull(file, "file == null");
        Objects.requireNonNull(password, "password == null");
        try (OutputStream out = Files.newOutputStream(file)) {
            trustStore().store(out, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the emulator's trust store to " + file, e);
        }
    }
}
