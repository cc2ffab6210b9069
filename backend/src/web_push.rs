//! The Web Push protocol's cryptography, without any I/O: message encryption (RFC 8291, the
//! `aes128gcm` content coding of RFC 8188) and the application server's VAPID identity
//! (RFC 8292). [`crate::push`] decides what to send and sends it.
//!
//! Every message gets a fresh ephemeral key pair and salt, so two pushes of the same text never
//! look alike to the push service, which sees only ciphertext.

use aes_gcm::{aead::Aead, Aes128Gcm, KeyInit, Nonce};
use base64::{
    alphabet,
    engine::{
        general_purpose::URL_SAFE_NO_PAD, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig,
    },
    Engine,
};
use hkdf::Hkdf;
use p256::{
    ecdsa::{signature::Signer, Signature, SigningKey},
    elliptic_curve::{rand_core::OsRng, sec1::ToEncodedPoint},
    PublicKey, SecretKey,
};
use sha2::Sha256;
use std::fmt;

/// An uncompressed P-256 point: `0x04 || x || y`.
pub const PUBLIC_KEY_BYTES: usize = 65;
/// The subscription's `auth` secret.
pub const AUTH_SECRET_BYTES: usize = 16;
/// The record size written in the header. One record holds any message a push service accepts
/// (RFC 8291 section 4: at least 4096 bytes of body), so messages are never split.
const RECORD_SIZE: u32 = 4096;
const SALT_BYTES: usize = 16;
const TAG_BYTES: usize = 16;
/// salt, record size, key id length, key id (the sender's public key).
pub const HEADER_BYTES: usize = SALT_BYTES + 4 + 1 + PUBLIC_KEY_BYTES;
/// The longest plaintext that fits a 4096-byte body: the header, the padding delimiter and the
/// tag take the rest. Push services must accept bodies of that size (RFC 8030 section 7.2).
pub const MAX_PLAINTEXT_BYTES: usize = RECORD_SIZE as usize - HEADER_BYTES - 1 - TAG_BYTES;

/// base64url as browsers and push libraries write it: without padding, but padded input is
/// read too (some libraries add it).
const URL_SAFE_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_ANY_PADDING.decode(text).ok()
}

pub fn encode_base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Why a message could not be encrypted or a key read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushCryptoError {
    /// The subscription's `p256dh` is not an uncompressed point on P-256.
    BadPublicKey,
    /// The subscription's `auth` is not 16 bytes.
    BadAuthSecret,
    /// The VAPID private key is not a P-256 scalar.
    BadPrivateKey,
    TooLong,
    /// A primitive refused its input (cannot happen with the lengths used here).
    Internal(&'static str),
}

impl fmt::Display for PushCryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushCryptoError::BadPublicKey => f.write_str("not an uncompressed P-256 public key"),
            PushCryptoError::BadAuthSecret => f.write_str("the auth secret is not 16 bytes"),
            PushCryptoError::BadPrivateKey => f.write_str("not a P-256 private key"),
            PushCryptoError::TooLong => {
                write!(f, "the message is longer than {MAX_PLAINTEXT_BYTES} bytes")
            }
            PushCryptoError::Internal(what) => write!(f, "encryption failed: {what}"),
        }
    }
}

impl std::error::Error for PushCryptoError {}

/// A subscription's public key, checked: 65 bytes, uncompressed, on the curve. A compressed
/// point would be a valid key too, but browsers never send one and RFC 8291 requires this form
/// (it is part of the key derivation as sent).
pub fn parse_public_key(bytes: &[u8]) -> Result<PublicKey, PushCryptoError> {
    if bytes.len() != PUBLIC_KEY_BYTES || bytes.first() != Some(&0x04) {
        return Err(PushCryptoError::BadPublicKey);
    }
    PublicKey::from_sec1_bytes(bytes).map_err(|_| PushCryptoError::BadPublicKey)
}

pub fn uncompressed(key: &PublicKey) -> Vec<u8> {
    key.to_encoded_point(false).as_bytes().to_vec()
}

/// `HKDF-Expand(prk, info, N)`, for the fixed small lengths RFC 8291 uses.
fn expand<const N: usize>(hk: &Hkdf<Sha256>, info: &[&[u8]]) -> Result<[u8; N], PushCryptoError> {
    let mut out = [0u8; N];
    hk.expand_multi_info(info, &mut out)
        .map_err(|_| PushCryptoError::Internal("key derivation"))?;
    Ok(out)
}

/// Encrypts `plaintext` for the subscription with keys `ua_public` (`p256dh`) and `auth`, as
/// one `aes128gcm` record: the body of the push request.
pub fn encrypt(
    plaintext: &[u8],
    ua_public: &[u8],
    auth: &[u8],
) -> Result<Vec<u8>, PushCryptoError> {
    let sender = SecretKey::random(&mut OsRng);
    let salt: [u8; SALT_BYTES] = rand::random();
    encrypt_with(plaintext, ua_public, auth, &sender, &salt)
}

/// [`encrypt`] with the sender's ephemeral key and the salt given, so the RFC's example can be
/// reproduced exactly. Never reuse either for a real message.
pub fn encrypt_with(
    plaintext: &[u8],
    ua_public: &[u8],
    auth: &[u8],
    sender: &SecretKey,
    salt: &[u8; SALT_BYTES],
) -> Result<Vec<u8>, PushCryptoError> {
    if plaintext.len() > MAX_PLAINTEXT_BYTES {
        return Err(PushCryptoError::TooLong);
    }
    let receiver = parse_public_key(ua_public)?;
    if auth.len() != AUTH_SECRET_BYTES {
        return Err(PushCryptoError::BadAuthSecret);
    }
    let as_public = uncompressed(&sender.public_key());
    let shared = p256::ecdh::diffie_hellman(sender.to_nonzero_scalar(), receiver.as_affine());

    // RFC 8291 section 3.4: the auth secret and both public keys go into the input keying
    // material, so only this subscription (not just anyone with its public key) can decrypt.
    let ikm_hk = Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes());
    let ikm: [u8; 32] = expand(&ikm_hk, &[b"WebPush: info\0", ua_public, &as_public])?;
    let hk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let cek: [u8; 16] = expand(&hk, &[b"Content-Encoding: aes128gcm\0"])?;
    let nonce: [u8; 12] = expand(&hk, &[b"Content-Encoding: nonce\0"])?;

    // One record, and the last: the delimiter 0x02, no padding (RFC 8188 section 2).
    let mut record = Vec::with_capacity(plaintext.len() + 1);
    record.extend_from_slice(plaintext);
    record.push(0x02);
    let cipher =
        Aes128Gcm::new_from_slice(&cek).map_err(|_| PushCryptoError::Internal("cipher key"))?;
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), record.as_slice())
        .map_err(|_| PushCryptoError::Internal("sealing"))?;

    let mut body = Vec::with_capacity(HEADER_BYTES + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(PUBLIC_KEY_BYTES as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// The application server's VAPID key pair (RFC 8292): push services tie each subscription to
/// its public key and accept messages only with a token it signed.
#[derive(Clone)]
pub struct VapidKey {
    signing: SigningKey,
    public: Vec<u8>,
}

impl fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapidKey")
            .field("public", &self.public_key_base64url())
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    pub fn generate() -> VapidKey {
        Self::from_secret(SecretKey::random(&mut OsRng))
    }

    /// From the 32-byte private scalar, as stored or configured.
    pub fn from_private_bytes(bytes: &[u8]) -> Result<VapidKey, PushCryptoError> {
        // `from_slice` would also take a shorter scalar, left-padded: a truncated key is a
        // mistake, not a key.
        if bytes.len() != 32 {
            return Err(PushCryptoError::BadPrivateKey);
        }
        let secret = SecretKey::from_slice(bytes).map_err(|_| PushCryptoError::BadPrivateKey)?;
        Ok(Self::from_secret(secret))
    }

    fn from_secret(secret: SecretKey) -> VapidKey {
        let public = uncompressed(&secret.public_key());
        VapidKey {
            signing: SigningKey::from(secret),
            public,
        }
    }

    pub fn private_bytes(&self) -> Vec<u8> {
        self.signing.to_bytes().to_vec()
    }

    /// The key browsers take as `applicationServerKey`.
    pub fn public_key_base64url(&self) -> String {
        encode_base64url(&self.public)
    }

    /// The `Authorization` header's value for a push resource on `audience` (its origin, such as
    /// `https://fcm.googleapis.com`): `vapid t=<JWT>, k=<public key>`. The JWT is signed with
    /// ES256 and says who sends (`sub`) and until when it may be used (`exp`, Unix seconds; at
    /// most 24 hours ahead, RFC 8292 section 2).
    pub fn authorization(&self, audience: &str, expires_at: i64, subject: &str) -> String {
        let header = encode_base64url(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": expires_at, "sub": subject });
        let claims = encode_base64url(claims.to_string().as_bytes());
        let signing_input = format!("{header}.{claims}");
        // JWS ES256 signatures are r || s, 64 bytes, not DER (RFC 7518 section 3.4).
        let signature: Signature = self.signing.sign(signing_input.as_bytes());
        let signature = encode_base64url(&signature.to_bytes());
        format!(
            "vapid t={signing_input}.{signature}, k={}",
            self.public_key_base64url()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::{signature::Verifier, VerifyingKey};

    fn b64(text: &str) -> Vec<u8> {
        decode_base64url(text).unwrap()
    }

    /// The receiving side of RFC 8291, written straight from the RFC for these tests: a
    /// browser's decryption.
    fn decrypt(body: &[u8], ua_secret: &SecretKey, auth: &[u8]) -> Vec<u8> {
        let salt = &body[..16];
        let rs = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert_eq!(rs, 4096);
        let idlen = body[20] as usize;
        assert_eq!(idlen, 65);
        let as_public = &body[21..21 + idlen];
        let sealed = &body[21 + idlen..];
        let sender = PublicKey::from_sec1_bytes(as_public).unwrap();
        let ua_public = uncompressed(&ua_secret.public_key());
        let shared = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), sender.as_affine());
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
            .expand(
                &[b"WebPush: info\0".as_slice(), &ua_public, as_public].concat(),
                &mut ikm,
            )
            .unwrap();
        let hk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let mut cek = [0u8; 16];
        let mut nonce = [0u8; 12];
        hk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .unwrap();
        hk.expand(b"Content-Encoding: nonce\0", &mut nonce).unwrap();
        let mut record = Aes128Gcm::new_from_slice(&cek)
            .unwrap()
            .decrypt(Nonce::from_slice(&nonce), sealed)
            .unwrap();
        // Strip padding back to the last-record delimiter.
        while record.last() == Some(&0) {
            record.pop();
        }
        assert_eq!(record.pop(), Some(0x02));
        record
    }

    /// RFC 8291 section 5 and appendix A, every value as printed there.
    #[test]
    fn reproduces_the_rfc_8291_example_exactly() {
        let plaintext = b64("V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24");
        assert_eq!(plaintext, b"When I grow up, I want to be a watermelon");
        let as_private =
            SecretKey::from_slice(&b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")).unwrap();
        assert_eq!(
            encode_base64url(&uncompressed(&as_private.public_key())),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
        let ua_private =
            SecretKey::from_slice(&b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")).unwrap();
        let ua_public =
            b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        assert_eq!(uncompressed(&ua_private.public_key()), ua_public);
        let shared = p256::ecdh::diffie_hellman(
            as_private.to_nonzero_scalar(),
            parse_public_key(&ua_public).unwrap().as_affine(),
        );
        assert_eq!(
            encode_base64url(shared.raw_secret_bytes()),
            "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"
        );
        let auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();

        let body = encrypt_with(&plaintext, &ua_public, &auth, &as_private, &salt).unwrap();
        assert_eq!(
            encode_base64url(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml\
             mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT\
             pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
        assert_eq!(decrypt(&body, &ua_private, &auth), plaintext);
    }

    #[test]
    fn round_trips_with_fresh_keys_and_never_repeats_a_ciphertext() {
        let ua = SecretKey::random(&mut OsRng);
        let ua_public = uncompressed(&ua.public_key());
        let auth: [u8; 16] = rand::random();
        let text = "{\"medicine\":\"Ibuprofène 200 mg\"}".as_bytes();
        let a = encrypt(text, &ua_public, &auth).unwrap();
        let b = encrypt(text, &ua_public, &auth).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), HEADER_BYTES + text.len() + 1 + 16);
        assert_eq!(decrypt(&a, &ua, &auth), text);
        assert_eq!(decrypt(&b, &ua, &auth), text);

        let longest = vec![b'x'; MAX_PLAINTEXT_BYTES];
        let body = encrypt(&longest, &ua_public, &auth).unwrap();
        assert_eq!(body.len(), 4096);
        assert_eq!(decrypt(&body, &ua, &auth), longest);
        assert_eq!(
            encrypt(&[b'x'; MAX_PLAINTEXT_BYTES + 1], &ua_public, &auth),
            Err(PushCryptoError::TooLong)
        );
    }

    #[test]
    fn refuses_keys_that_are_not_what_browsers_send() {
        let ua = SecretKey::random(&mut OsRng);
        let point = ua.public_key().to_encoded_point(true);
        let compressed = point.as_bytes();
        assert_eq!(
            encrypt(b"x", compressed, &[0; 16]),
            Err(PushCryptoError::BadPublicKey)
        );
        let mut off_curve = uncompressed(&ua.public_key());
        off_curve[64] ^= 1;
        assert_eq!(
            parse_public_key(&off_curve),
            Err(PushCryptoError::BadPublicKey)
        );
        assert_eq!(
            encrypt(b"x", &uncompressed(&ua.public_key()), &[0; 15]),
            Err(PushCryptoError::BadAuthSecret)
        );
        assert!(VapidKey::from_private_bytes(&[0; 32]).is_err());
        assert!(VapidKey::from_private_bytes(&[1; 31]).is_err());
    }

    #[test]
    fn vapid_tokens_verify_with_the_advertised_key() {
        let key = VapidKey::generate();
        let again = VapidKey::from_private_bytes(&key.private_bytes()).unwrap();
        assert_eq!(again.public_key_base64url(), key.public_key_base64url());

        let header = key.authorization(
            "https://push.example.net",
            1_800_000_000,
            "mailto:security@example.com",
        );
        let (token, k) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap();
        assert_eq!(k, key.public_key_base64url());
        let (signing_input, signature) = token.rsplit_once('.').unwrap();
        let (head, claims) = signing_input.split_once('.').unwrap();
        let head: serde_json::Value = serde_json::from_slice(&b64(head)).unwrap();
        assert_eq!(head["alg"], "ES256");
        let claims: serde_json::Value = serde_json::from_slice(&b64(claims)).unwrap();
        assert_eq!(
            claims,
            serde_json::json!({
                "aud": "https://push.example.net",
                "exp": 1_800_000_000,
                "sub": "mailto:security@example.com"
            })
        );
        let verifying = VerifyingKey::from_sec1_bytes(&b64(k)).unwrap();
        let signature = Signature::from_slice(&b64(signature)).unwrap();
        assert!(verifying
            .verify(signing_input.as_bytes(), &signature)
            .is_ok());
        assert!(verifying.verify(b"something else", &signature).is_err());
    }
}
