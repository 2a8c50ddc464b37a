#pragma once
// The certificates a loopback API server needs: a CA, a serving certificate for 127.0.0.1, ::1 and
// localhost, and client certificates (CN = user, O = groups), plus a kubeconfig that uses them.
#include <string>
#include <vector>

namespace fivespot::testserver {

struct CertificateFiles {
  std::string certificate;  // PEM path
  std::string key;          // PEM path
};

struct Pki {
  CertificateFiles ca;
  CertificateFiles server;
  CertificateFiles admin;  // CN=admin, O=system:masters
};

// Reuses the CA and certificates in stateDir when present (so clients keep working across a
// restart with the same --state-dir); generates them otherwise. Throws ConfigError.
Pki ensurePki(const std::string& stateDir);

// Issues a client certificate signed by the CA in `pki`, written as <stateDir>/<fileStem>.crt/.key.
CertificateFiles issueClientCertificate(const Pki& pki, const std::string& stateDir, const std::string& fileStem,
                                        const std::string& user, const std::vector<std::string>& groups);

// Writes a kubeconfig (certificates embedded as *-data) and returns its path.
std::string writeKubeconfig(const std::string& path, const std::string& serverUrl, const std::string& caFile,
                            const CertificateFiles& client, const std::string& user);

}  // namespace fivespot::testserver
