"""Review of a plan change: what a reviewer of an outsourcing change reads first.

`semantic` compares two plans (functions, providers, residency, service levels),
`review` gathers that with vendor concentration, policy findings, waivers and
cost into one `Review`, and `markdown`/`text`/`json_doc` render it, with the
resource changes of a preview (`resources`) when `provision plan` has them.
"""
