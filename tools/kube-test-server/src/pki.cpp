#include "fivespot/testserver/pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"

namespace fivespot::testserver {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(FILE* p) const { std::fclose(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter>;
using CertPtr = std::unique_ptr<X509, Deleter>;
using FilePtr = std::unique_ptr<FILE, Deleter>;

void check(bool ok, const std::string& what) {
  if (!ok) throw ConfigError("certificate generation", what + " failed");
}

FilePtr open(const std::string& path, const char* mode) {
  FilePtr file(std::fopen(path.c_str(), mode));
  if (!file) throw ConfigError(path, "cannot open");
  return file;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

struct Subject {
  std::string commonName;
  std::vector<std::string> organizations;
};

// issuer/issuerKey null: self-signed CA.
CertPtr makeCertificate(const Subject& subject, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuerKey,
                        const std::vector<std::pair<int, std::string>>& extensions) {
  CertPtr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& o : subject.organizations)
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(subject.commonName.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  for (const auto& [nid, value] : extensions) addExtension(cert.get(), signer, nid, value);
  addExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) addExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  check(X509_sign(cert.get(), issuerKey != nullptr ? issuerKey : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

void writePair(const CertificateFiles& files, X509* cert, EVP_PKEY* key) {
  check(PEM_write_X509(open(files.certificate, "w").get(), cert) == 1, "writing " + files.certificate);
  check(PEM_write_PrivateKey(open(files.key, "w").get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "writing " + files.key);
  std::filesystem::permissions(files.key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

CertPtr readCertificate(const std::string& path) {
  CertPtr cert(PEM_read_X509(open(path, "r").get(), nullptr, nullptr, nullptr));
  if (!cert) throw ConfigError(path, "not a PEM certificate");
  return cert;
}

KeyPtr readKey(const std::string& path) {
  KeyPtr key(PEM_read_PrivateKey(open(path, "r").get(), nullptr, nullptr, nullptr));
  if (!key) throw ConfigError(path, "not a PEM private key");
  return key;
}

CertificateFiles pairIn(const std::string& dir, const std::string& stem) {
  return {(std::filesystem::path(dir) / (stem + ".crt")).string(),
          (std::filesystem::path(dir) / (stem + ".key")).string()};
}

bool exists(const CertificateFiles& files) {
  return std::filesystem::exists(files.certificate) && std::filesystem::exists(files.key);
}

std::string base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

Pki ensurePki(const std::string& stateDir) {
  std::filesystem::create_directories(stateDir);
  Pki pki{pairIn(stateDir, "ca"), pairIn(stateDir, "server"), pairIn(stateDir, "admin")};
  if (exists(pki.ca) && exists(pki.server) && exists(pki.admin)) return pki;
  KeyPtr caKey(EVP_EC_gen("P-256"));
  check(caKey != nullptr, "EC key generation");
  auto ca = makeCertificate(
      {"fivespot-test-ca", {}}, caKey.get(), nullptr, nullptr,
      {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"}});
  writePair(pki.ca, ca.get(), caKey.get());
  KeyPtr serverKey(EVP_EC_gen("P-256"));
  auto server = makeCertificate({"kube-apiserver", {}}, serverKey.get(), ca.get(), caKey.get(),
                                {{NID_basic_constraints, "critical,CA:FALSE"},
                                 {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                                 {NID_ext_key_usage, "serverAuth"},
                                 {NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost"}});
  writePair(pki.server, server.get(), serverKey.get());
  issueClientCertificate(pki, stateDir, "admin", "admin", {"system:masters"});
  return pki;
}

CertificateFiles issueClientCertificate(const Pki& pki, const std::string& stateDir, const std::string& fileStem,
                                        const std::string& user, const std::vector<std::string>& groups) {
  const auto ca = readCertificate(pki.ca.certificate);
  const auto caKey = readKey(pki.ca.key);
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key generation");
  auto cert = makeCertificate({user, groups}, key.get(), ca.get(), caKey.get(),
                              {{NID_basic_constraints, "critical,CA:FALSE"},
                               {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                               {NID_ext_key_usage, "clientAuth"}});
  const auto files = pairIn(stateDir, fileStem);
  writePair(files, cert.get(), key.get());
  return files;
}

std::string writeKubeconfig(const std::string& path, const std::string& serverUrl, const std::string& caFile,
                            const CertificateFiles& client, const std::string& user) {
  const std::string text =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: fivespot-test\n  cluster:\n    server: " + serverUrl +
      "\n    certificate-authority-data: " + base64(readFile(caFile)) + "\nusers:\n- name: " + user +
      "\n  user:\n    client-certificate-data: " + base64(readFile(client.certificate)) +
      "\n    client-key-data: " + base64(readFile(client.key)) +
      "\ncontexts:\n- name: fivespot-test\n  context:\n    cluster: fivespot-test\n    user: " + user +
      "\n    namespace: default\ncurrent-context: fivespot-test\n";
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    if (!out) throw ConfigError(path, "cannot write kubeconfig");
  }
  std::filesystem::rename(temporary, path);
  return path;
}

}  // namespace fivespot::testserver
