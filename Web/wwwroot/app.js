// Small browser helpers the portal calls through JS interop.
window.portal = {
    copy: text => navigator.clipboard.writeText(text),
};
