"""The plugin layer (layer 4): the hooks (:mod:`~mesosim.plugin.hookspecs`), the host that
owns pluggy's manager and produces the catalog (:mod:`~mesosim.plugin.host`), entry-point
discovery (:mod:`~mesosim.plugin.entrypoints`) and the core vocabulary, itself a plugin
(:mod:`~mesosim.plugin.core`)."""
