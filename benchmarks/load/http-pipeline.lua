-- wrk script: each request slot sends 16 pipelined GETs in one write (wrk counts every
-- response). Used by run-http-hello.sh --pipeline.
init = function(args)
  local depth = tonumber(os.getenv("SLUICE_PIPELINE_DEPTH") or "16")
  local path = os.getenv("SLUICE_PIPELINE_PATH") or "/hello"
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format("GET", path)
  end
  req = table.concat(r)
end

request = function()
  return req
end
