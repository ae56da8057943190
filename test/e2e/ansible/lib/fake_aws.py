#!/usr/bin/env python3
"""What an EC2 instance of an ssm stage asks AWS for while State Manager runs
the playbook on it, faked on 127.0.0.1 for test/e2e/ansible/lib/ssm-scenario.sh:

* the instance metadata service's role credentials (IMDSv2: PUT
  /latest/api/token, then GET /latest/meta-data/iam/security-credentials/
  and .../<role>), which botocore's credential chain reads on a real host
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html);
* Secrets Manager GetSecretValue (JSON 1.1 protocol, X-Amz-Target
  secretsmanager.GetSecretValue; https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html),
  which the role's amazon.aws.aws_secret lookup calls with those credentials.

Only the stage's own secret, signed with the role's access key in the stage's
region, is answered; anything else gets the error AWS would give
(AccessDeniedException / ResourceNotFoundException / UnrecognizedClientException).

  fake_aws.py PORT_FILE LOG ROLE SECRET_ID REGION TIMEOUT  (the secret value from $DD_API_KEY;
                                                           exits after TIMEOUT seconds)
  fake_aws.py --ruleset DATA_DIR URL                    (botocore endpoint rule set -> URL)

The log has one line per request (method, path, target, secret id, outcome);
never the secret or the credentials' secret parts.
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCESS_KEY_ID = "ASIAE2EROLLOUTFAKE01"
TOKEN = "e2e-imds-token"


def write_ruleset(data_dir, url):
    # botocore >= 1.28 resolves endpoints from <service>/<api version>/endpoint-rule-set-1.json
    # and searches AWS_DATA_PATH first (same technique as test/support/fake-ec2.ts ec2Redirect).
    version_dir = os.path.join(data_dir, "secretsmanager", "2017-10-17")
    os.makedirs(version_dir, exist_ok=True)

    def param(built_in, typ, required):
        p = {"builtIn": built_in, "required": required, "documentation": built_in, "type": typ}
        if typ == "Boolean":
            p["default"] = False
        return p

    rule_set = {
        "version": "1.0",
        "parameters": {
            "Region": param("AWS::Region", "String", False),
            "UseDualStack": param("AWS::UseDualStack", "Boolean", True),
            "UseFIPS": param("AWS::UseFIPS", "Boolean", True),
            "Endpoint": param("SDK::Endpoint", "String", False),
        },
        "rules": [{"conditions": [], "endpoint": {"url": url, "properties": {}, "headers": {}}, "type": "endpoint"}],
    }
    with open(os.path.join(version_dir, "endpoint-rule-set-1.json"), "w") as f:
        json.dump(rule_set, f)


def serve(port_file, log_path, role, secret_id, region, timeout):
    secret = os.environ["DD_API_KEY"]
    lock = threading.Lock()

    def log(line):
        with lock, open(log_path, "a") as f:
            f.write(line + "\n")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # the default logs to stderr; we log our own lines
            pass

        def send(self, code, body, ctype="application/x-amz-json-1.1"):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self):
            if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                log("imds PUT /latest/api/token ok")
                return self.send(200, TOKEN, "text/plain")
            log("imds PUT %s refused" % self.path)
            self.send(400, "", "text/plain")

        def do_GET(self):
            base = "/latest/meta-data/iam/security-credentials/"
            if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                log("imds GET %s refused (no IMDSv2 token)" % self.path)
                return self.send(401, "", "text/plain")
            if self.path == base:
                log("imds GET %s ok" % self.path)
                return self.send(200, role, "text/plain")
            if self.path == base + role:
                log("imds GET %s ok" % self.path)
                creds = {
                    "Code": "Success",
                    "LastUpdated": "2026-01-01T00:00:00Z",
                    "Type": "AWS-HMAC",
                    "AccessKeyId": ACCESS_KEY_ID,
                    "SecretAccessKey": "e2e-fake-secret-access-key",
                    "Token": "e2e-fake-session-token",
                    "Expiration": "2099-01-01T00:00:00Z",
                }
                return self.send(200, json.dumps(creds), "application/json")
            log("imds GET %s not found" % self.path)
            self.send(404, "", "text/plain")

        def do_POST(self):
            target = self.headers.get("X-Amz-Target", "")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            auth = self.headers.get("Authorization", "")
            try:
                asked = json.loads(body or b"{}").get("SecretId", "")
            except ValueError:
                asked = ""
            scope = "Credential=%s/" % ACCESS_KEY_ID
            if scope not in auth:
                log("secretsmanager %s secret=%s UnrecognizedClientException" % (target, asked))
                return self.send(400, json.dumps({"__type": "UnrecognizedClientException", "message": "The security token included in the request is invalid."}))
            if "/%s/secretsmanager/aws4_request" % region not in auth:
                log("secretsmanager %s secret=%s wrong region" % (target, asked))
                return self.send(400, json.dumps({"__type": "AccessDeniedException", "message": "wrong region"}))
            if target != "secretsmanager.GetSecretValue":
                log("secretsmanager %s secret=%s AccessDeniedException (not allowed)" % (target, asked))
                return self.send(400, json.dumps({"__type": "AccessDeniedException", "message": "not authorized to perform %s" % target}))
            if asked != secret_id:
                log("secretsmanager %s secret=%s ResourceNotFoundException" % (target, asked))
                return self.send(400, json.dumps({"__type": "ResourceNotFoundException", "message": "Secrets Manager can't find the specified secret."}))
            log("secretsmanager %s secret=%s ok" % (target, asked))
            arn = "arn:aws:secretsmanager:%s:111122223333:secret:%s-AbCdEf" % (region, secret_id)
            self.send(200, json.dumps({"ARN": arn, "Name": secret_id, "SecretString": secret,
                                       "VersionId": "e2e-version-1", "VersionStages": ["AWSCURRENT"], "CreatedDate": 1767225600}))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    # Never outlive the test run, even if nobody stops it.
    threading.Timer(float(timeout), server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--ruleset":
        write_ruleset(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 7:
        serve(*sys.argv[1:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
