"""sagekey's moto_server launcher: moto's own server, minus two known bugs.

internal/motoserver embeds this file (go:embed), writes it to a temporary
directory and runs it as `python3 <dir>/sagekey_moto_server.py -H HOST -p PORT`
instead of `moto_server -H HOST -p PORT`. It imports moto, repairs two defects
of moto 5.2.1 that make the Resource Groups Tagging API (tag:GetResources)
answer HTTP 500 as soon as a SageMaker endpoint config or model card exists in
the region, and then runs moto.server.main (what the `moto_server` entry point
runs) with the same arguments.

It changes one more thing, how moto answers an operation it does not
implement. moto answers it (and any request whose handler raises
NotImplementedError) with Werkzeug's HTML "500 Internal Server Error" page.
AWS never answers an existing JSON-protocol API that way, and the SDK retries
a 500 with backoff, so every scan against moto would wait out retries on the
operations moto lacks. For a JSON-protocol request (it carries X-Amz-Target)
the launcher answers such a 500 as AWS answers an operation a service does
not offer: 400 with {"__type": "UnknownOperationException"}. Other protocols
and every other response pass through untouched.

The two defects (moto 5.2.1; both surface in
moto/resourcegroupstaggingapi/models.py, _get_resources_generator, at
`tags = self.sagemaker_backend.list_tags(resource.arn)[0]`):

 1. moto/sagemaker/models.py, FakeEndpointConfig.__init__ sets
        self.arn = (self.endpoint_config_arn,)
    (a stray comma: a 1-tuple, not a string). list_tags(resource.arn) then
    fails in SageMakerModelBackend._get_resource_from_arn with
        AttributeError: 'tuple' object has no attribute 'split'
    Patch: wrap FakeEndpointConfig.__init__ so arn is the string.

 2. SageMakerModelBackend.model_cards maps a name to the LIST of its
    versions, but the generator iterates model_cards.values() as if each
    value were one resource and reads resource.arn:
        AttributeError: 'list' object has no attribute 'arn'
    Patch: the tagging backend's sagemaker_backend property returns a thin
    view of the SageMaker backend whose model_cards maps each name to its
    first version (the one _get_resource_from_arn, hence list_tags, uses;
    every version has the same ARN). All other attributes pass through.

Self-check: before serving, the launcher probes moto in-process, in a scratch
account, and patches only what the probe shows broken: if moto already
answers correctly it leaves it alone (a newer moto fixed the bug); if moto's
code no longer has the shape these patches expect, or the patched moto still
fails the probe, it exits with status 4 and says why, rather than serve a
moto that silently misbehaves. The probe's state is then reset.

Exit status 3 means moto (or its server dependencies) is not importable;
internal/motoserver reports that as ErrNotInstalled.
internal/motoserver's TestPlainMotoStillNeedsPatches fails once a moto
release fixes both bugs, so this file can be deleted then.
"""

import sys

EXIT_NO_MOTO = 3
EXIT_SHAPE = 4

try:
    import moto
    import moto.server
    from moto.core.base_backend import BackendDict
    from moto.resourcegroupstaggingapi import models as rgt_models
    from moto.sagemaker import models as sm_models
except ImportError as e:  # moto missing, or installed without [server]
    print(f"sagekey launcher: cannot import moto: {e}", file=sys.stderr)
    sys.exit(EXIT_NO_MOTO)

PROBE_ACCOUNT = "000000000042"  # scratch account, reset before serving
PROBE_REGION = "us-east-1"
PROBE_TAGS = [{"Key": "sagekey-probe", "Value": "1"}]


def fail(msg):
    print(
        f"sagekey launcher: moto {moto.__version__}: {msg}\n"
        "  internal/motoserver/launcher.py patches moto 5.2.1's tag:GetResources "
        "for SageMaker endpoint configs and model cards; update or remove it.",
        file=sys.stderr,
    )
    sys.exit(EXIT_SHAPE)


def backends():
    sm = sm_models.sagemaker_backends[PROBE_ACCOUNT][PROBE_REGION]
    rgt = rgt_models.resourcegroupstaggingapi_backends[PROBE_ACCOUNT][PROBE_REGION]
    return sm, rgt


def get_resources(rgt, resource_type):
    """ARN -> tags that GetResources would return, or the exception raised."""
    try:
        gen = rgt._get_resources_generator(
            tag_filters=[], resource_type_filters=[resource_type]
        )
        return {r["ResourceARN"]: r["Tags"] for r in gen}
    except Exception as e:  # noqa: BLE001 - classified by the caller
        return e


def probe_endpoint_config():
    """(arn, GetResources result) for one tagged endpoint config."""
    sm, rgt = backends()
    sm.create_model(
        model_name="sagekey-probe",
        execution_role_arn=f"arn:aws:iam::{PROBE_ACCOUNT}:role/probe",
        primary_container={"Image": "probe"},
        vpc_config=None,
        containers=None,
        tags=PROBE_TAGS,
    )
    cfg = sm.create_endpoint_config(
        endpoint_config_name="sagekey-probe",
        production_variants=[
            {
                "VariantName": "v",
                "ModelName": "sagekey-probe",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.t2.medium",
            }
        ],
        data_capture_config=None,
        async_inference_config=None,
        tags=PROBE_TAGS,
        kms_key_id=None,
    )
    return cfg, get_resources(rgt, "sagemaker:endpoint-config")


def probe_model_card():
    sm, rgt = backends()
    sm.create_model_card(
        model_card_name="sagekey-probe",
        security_config=None,
        content="{}",
        model_card_status="Draft",
        tags=PROBE_TAGS,
    )
    return sm, get_resources(rgt, "sagemaker:model-card")


def works(result, arn):
    return not isinstance(result, Exception) and result.get(arn) == PROBE_TAGS


def patch_endpoint_config_arn():
    cls = sm_models.FakeEndpointConfig
    orig = cls.__init__

    def __init__(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        # moto 5.2.1: `self.arn = (self.endpoint_config_arn,)` -> the string.
        if self.arn == (self.endpoint_config_arn,):
            self.arn = self.endpoint_config_arn

    __init__.__wrapped__ = orig
    cls.__init__ = __init__


class _ModelCardsByName:
    """A SageMakerModelBackend as _get_resources_generator expects it:
    model_cards maps a name to one FakeModelCard (its first version) instead
    of the list of versions. Everything else is the backend itself."""

    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, name):
        return getattr(self._backend, name)

    @property
    def model_cards(self):
        return {n: v[0] for n, v in self._backend.model_cards.items() if v}


def patch_model_cards():
    cls = rgt_models.ResourceGroupsTaggingAPIBackend
    prop = cls.__dict__.get("sagemaker_backend")
    if not isinstance(prop, property) or prop.fget is None:
        fail("ResourceGroupsTaggingAPIBackend.sagemaker_backend is no longer a property")
    orig = prop.fget
    # moto 5.2.1: model_cards is {name: [FakeModelCard, ...]}; see _ModelCardsByName.
    cls.sagemaker_backend = property(lambda self: _ModelCardsByName(orig(self)))


def ensure_patched():
    """Probe, patch what is broken, re-probe; exit EXIT_SHAPE on surprises."""
    applied = []
    try:
        # 1. Endpoint configs.
        cfg, got = probe_endpoint_config()
        arn = cfg.endpoint_config_arn
        if not works(got, arn):
            if cfg.arn != (arn,) or not isinstance(got, AttributeError):
                fail(f"GetResources on an endpoint config fails in an unknown way: "
                     f"FakeEndpointConfig.arn = {cfg.arn!r}, result {got!r}")
            patch_endpoint_config_arn()
            applied.append("FakeEndpointConfig.arn")
        # 2. Model cards (with endpoint config fixed, if it was broken).
        sm, got = probe_model_card()
        versions = sm.model_cards.get("sagekey-probe")
        if not isinstance(versions, list) or not versions:
            mc_arn = None
        else:
            mc_arn = versions[0].arn
        if not works(got, mc_arn):
            if mc_arn is None or not isinstance(got, AttributeError):
                fail(f"GetResources on a model card fails in an unknown way: "
                     f"model_cards entry {versions!r}, result {got!r}")
            patch_model_cards()
            applied.append("tagging model_cards")
        # 3. Re-probe from scratch: both must now come back with their tags.
        BackendDict.reset()
        cfg, got = probe_endpoint_config()
        if not works(got, cfg.endpoint_config_arn):
            fail(f"endpoint config still not returned after patching: {got!r}")
        sm, got = probe_model_card()
        if not works(got, sm.model_cards["sagekey-probe"][0].arn):
            fail(f"model card still not returned after patching: {got!r}")
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - moto's internals changed shape
        fail(f"probe raised {type(e).__name__}: {e}")
    finally:
        BackendDict.reset()  # serve from a clean slate
    return applied


UNIMPLEMENTED_MESSAGE = "not implemented by the emulator"


def unknown_operation(start_response, operation):
    import json

    payload = json.dumps({"__type": "UnknownOperationException",
                          "message": f"{operation}: {UNIMPLEMENTED_MESSAGE}"}).encode()
    start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"),
                                       ("Content-Length", str(len(payload)))])
    return [payload]


def answer_unimplemented_as_aws():
    """Wraps moto's WSGI dispatcher: see the module docstring."""
    dispatcher = moto.server.DomainDispatcherApplication
    inner = dispatcher.__call__

    def call(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target:
            return inner(self, environ, start_response)
        started = []

        def hold(status, headers, exc_info=None):
            started[:] = [status, headers]
            return lambda data: None  # moto never uses the write callable

        operation = target.rsplit(".", 1)[-1]
        try:
            body = inner(self, environ, hold)
            if not started:  # start_response deferred to the first chunk
                body = list(body)
        except Exception as e:  # noqa: BLE001 - Werkzeug would send its HTML 500
            print(f"sagekey launcher: {operation}: {type(e).__name__}: {e}; "
                  "answered 400 UnknownOperationException", file=sys.stderr, flush=True)
            return unknown_operation(start_response, operation)
        status, headers = started
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if status.startswith("500") and "text/html" in content_type:
            if hasattr(body, "close"):
                body.close()
            return unknown_operation(start_response, operation)
        start_response(status, headers)
        return body

    dispatcher.__call__ = call


if __name__ == "__main__":
    applied = ensure_patched()
    answer_unimplemented_as_aws()
    print(
        f"sagekey launcher: moto {moto.__version__}: patched "
        + (", ".join(applied) if applied else "nothing (fixed upstream)"),
        file=sys.stderr,
        flush=True,
    )
    moto.server.main(sys.argv[1:])
